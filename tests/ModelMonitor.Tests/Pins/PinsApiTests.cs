using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ModelMonitor.Tests.Pins;

public sealed class PinsApiTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    [Fact]
    public async Task AnAppIsCreatedReplacedReadListedAndDeleted()
    {
        var (team, token) = await fixture.CreateTeamAsync("payments");
        var client = fixture.Client(token);
        var path = $"/api/teams/{team}/apps/checkout";

        var created = await client.PutAsJsonAsync(path, new
        {
            description = "Checkout <assistant> & co",
            repository = "corp/checkout",
            pins = new object[]
            {
                new { provider = "openai", model = "gpt-4o-2024-05-13", environment = "production", monthlyInputTokens = 120_000_000L },
                new { provider = "anthropic", model = "claude-3-5-sonnet-20241022" },
            },
        });
        var replaced = await client.PutAsJsonAsync(path, new
        {
            description = "Checkout <assistant> & co",
            pins = new[] { new { provider = "openai", model = "gpt-4o-2024-08-06", environment = "production" } },
        });
        var read = await client.GetFromJsonAsync<JsonElement>(path);
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps");
        var deleted = await client.DeleteAsync(path);
        var afterDelete = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/teams/{team}/apps/checkout", created.Headers.Location?.OriginalString);
        using (var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            var first = body.RootElement.GetProperty("pins")[0];
            Assert.Equal("deprecated", first.GetProperty("resolution").GetProperty("status").GetString());
            Assert.Equal("2026-12-15", first.GetProperty("resolution").GetProperty("retiresOn").GetString());
            Assert.Equal(17, first.GetProperty("resolution").GetProperty("daysLeft").GetInt32());
            Assert.Equal(120_000_000L, first.GetProperty("monthlyInputTokens").GetInt64());
        }
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        // The pin set was replaced as a whole, and the description is kept exactly as given.
        Assert.Equal("Checkout <assistant> & co", read.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("repository").ValueKind);
        var pin = Assert.Single(read.GetProperty("pins").EnumerateArray());
        Assert.Equal("gpt-4o-2024-08-06", pin.GetProperty("model").GetString());
        Assert.Equal("production", pin.GetProperty("environment").GetString());
        Assert.Equal("active", pin.GetProperty("resolution").GetProperty("status").GetString());
        var summary = Assert.Single(list.EnumerateArray());
        Assert.Equal("checkout", summary.GetProperty("name").GetString());
        Assert.Equal(1, summary.GetProperty("pins").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM pins p JOIN apps a ON a.id = p.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = @team", team));
    }

    [Fact]
    public async Task PuttingTheSameAppTwiceLeavesTheSameState()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var client = fixture.Client(token);
        var body = new { pins = new[] { new { provider = "openai", model = "gpt-4o-2024-11-20" }, new { provider = "openai", model = "gpt-4o-mini-2024-07-18" } } };

        var first = await client.PutAsJsonAsync($"/api/teams/{team}/apps/bot", body);
        var second = await client.PutAsJsonAsync($"/api/teams/{team}/apps/bot", body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM pins p JOIN apps a ON a.id = p.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = @team", team));
    }

    [Fact]
    public async Task APinThatStaysAcrossPutsKeepsItsIdAndItsReadiness()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var client = fixture.Client(token);
        var path = $"/api/teams/{team}/apps/keeper";
        const string PinIds = "SELECT string_agg(p.model || '=' || p.id, ',' ORDER BY p.model) FROM pins p JOIN apps a ON a.id = p.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = @team";

        await client.PutAsJsonAsync(path, new { pins = new object[] { new { provider = "openai", model = "gpt-4o-2024-05-13", monthlyInputTokens = 1_000L }, new { provider = "openai", model = "gpt-4o-mini-2024-07-18" } } });
        var before = await ScalarAsync<string>(PinIds, team);
        var keptId = long.Parse(before.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        await ScalarAsync<int>($"INSERT INTO pin_readiness (pin_id, verdict, decided_at, changed_at) VALUES ({keptId}, 'not-ready', now(), now()) RETURNING 1", team);
        var second = await client.PutAsJsonAsync(path, new { pins = new object[] { new { provider = "openai", model = "gpt-4o-2024-05-13", monthlyInputTokens = 2_000L }, new { provider = "openai", model = "gpt-4o-2024-11-20" } } });
        var after = await ScalarAsync<string>(PinIds, team);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.StartsWith($"gpt-4o-2024-05-13={keptId},gpt-4o-2024-11-20=", after, StringComparison.Ordinal);
        Assert.Equal(2_000L, await ScalarAsync<long>($"SELECT monthly_input_tokens FROM pins WHERE id = {keptId}", team));
        Assert.Equal("not-ready", await ScalarAsync<string>($"SELECT verdict FROM pin_readiness WHERE pin_id = {keptId}", team));
    }

    [Fact]
    public async Task ABodyWithoutALengthIsReadAndRegistered()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var json = """{"pins":[{"provider":"openai","model":"gpt-4o","environment":"production"}]}"""u8.ToArray();
        // A stream of unknown length goes out chunked, with no Content-Length.
        var content = new StreamContent(new NonSeekableStream(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await fixture.Client(token).PutAsync($"/api/teams/{team}/apps/chunked", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var app = await fixture.Client(token).GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/chunked");
        Assert.Equal("gpt-4o-2024-08-06", app.GetProperty("pins")[0].GetProperty("resolution").GetProperty("resolvedModel").GetString());
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task CreatingATeamTwiceIsAConflict()
    {
        var (team, _) = await fixture.CreateTeamAsync();

        var again = await fixture.Admin().PostAsJsonAsync("/api/teams", new { name = team, emails = new[] { "other@corp.example" } });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains($"A team named '{team}' already exists.", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ATeamIsStoredWithItsRecipients()
    {
        var name = PinsFixture.UniqueName("search");

        var response = await fixture.Admin().PostAsJsonAsync("/api/teams",
            new { name, emails = new[] { "ml@corp.example", "Lead.Person@corp.example" }, escalationEmails = new[] { "cto@corp.example" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var team = await fixture.App.WithDbAsync(db => Task.FromResult(db.Teams.Single(t => t.Name == name)));
        Assert.Equal(["ml@corp.example", "Lead.Person@corp.example"], team.Emails);
        Assert.Equal(["cto@corp.example"], team.EscalationEmails);
        Assert.Equal(32, team.TokenHash.Length);
    }

    [Fact]
    public async Task RotatingATokenRetiresTheOldOneAtOnce()
    {
        var (team, old) = await fixture.CreateTeamAsync();

        var rotated = await fixture.Client(old).PostAsync($"/api/teams/{team}/token", null);
        var fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var withOld = await fixture.Client(old).GetAsync($"/api/teams/{team}/apps");
        var withNew = await fixture.Client(fresh).GetAsync($"/api/teams/{team}/apps");
        var byAdmin = await fixture.Admin().PostAsync($"/api/teams/{team}/token", null);
        var afterAdminRotation = await fixture.Client(fresh).GetAsync($"/api/teams/{team}/apps");

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(old, fresh);
        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterAdminRotation.StatusCode);
    }

    [Fact]
    public async Task NoTokenIsStoredInPlaintextAnywhereInTheDatabase()
    {
        var (team, first) = await fixture.CreateTeamAsync();
        var second = (await (await fixture.Client(first).PostAsync($"/api/teams/{team}/token", null)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("token").GetString()!;
        await fixture.Client(second).PutAsJsonAsync($"/api/teams/{team}/apps/web", new { pins = Array.Empty<object>() });

        var columns = await ColumnsAsync();
        Assert.Contains(("teams", "token_hash", "bytea"), columns);
        Assert.Contains(("teams", "emails"), columns.Select(c => (c.Table, c.Column)));
        foreach (var token in new[] { first, second, PinsFixture.AdminToken, first[4..], second[4..] })
            foreach (var (table, column, type) in columns)
                Assert.True(0L == await CountAsync(ContainsSql(table, column, type), token), $"{table}.{column} holds a token");
    }

    private static string ContainsSql(string table, string column, string type) => type switch
    {
        // The token as UTF-8 bytes anywhere inside a binary value.
        "bytea" => $"SELECT count(*) FROM \"{table}\" WHERE position(convert_to(@team, 'UTF8') in \"{column}\") > 0",
        _ => $"SELECT count(*) FROM \"{table}\" WHERE strpos(\"{column}\"::text, @team) > 0",
    };

    // Every column of every table that can hold text or bytes: text, varchar, char, arrays of them, json, bytea.
    private async Task<List<(string Table, string Column, string Type)>> ColumnsAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')
                   OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
            """, connection);
        var columns = new List<(string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return columns;
    }

    private Task<long> CountAsync(string sql, string team) => ScalarAsync<long>(sql, team);

    private async Task<T> ScalarAsync<T>(string sql, string team)
    {
        await using var connection = new NpgsqlConnection(fixture.App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("team", team);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheEndpointsAndTheBearerScheme()
    {
        var document = await fixture.Client().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/teams", out _));
        var put = paths.GetProperty("/api/teams/{team}/apps/{app}").GetProperty("put");
        Assert.True(put.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(put.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(put.GetProperty("responses").TryGetProperty("400", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(put.TryGetProperty("security", out _));
    }
}
