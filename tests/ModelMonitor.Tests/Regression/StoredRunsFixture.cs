using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Catalog;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Pins;
using Npgsql;

namespace ModelMonitor.Tests.Regression;

/// The host on its own database with endpoint `fake` (OpenAI wire format) on a loopback FakeLlmServer serving the
/// provider `openai`; no endpoint serves `anthropic`. A small catalog of my own facts (real ids, test dates and
/// prices); the clock stands at 2026-11-28. Each test makes its own team, so tests of a class do not meet.
public sealed class StoredRunsFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-for-regression-tests-0123456789";
    public const int MaxSuiteBytes = 8192;

    public FakeLlmServer Llm { get; private set; } = null!;
    public MonitorApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Llm = await FakeLlmServer.StartAsync();
        App = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = AdminToken,
            ["Auth:FailedAttemptsPerMinute"] = "1000",
            ["Endpoints:fake:Kind"] = "openai",
            ["Endpoints:fake:BaseUrl"] = Llm.OpenAIBaseUrl,
            ["Endpoints:fake:ApiKey"] = "sk-stored-runs-0123456789",
            ["Endpoints:fake:MaxConcurrency"] = "4",
            // A configured price beats the catalog's for this model.
            ["Endpoints:fake:Prices:gpt-4o-mini-2024-07-18:InputCostPerMillionTokens"] = "1",
            ["Endpoints:fake:Prices:gpt-4o-mini-2024-07-18:OutputCostPerMillionTokens"] = "1",
            ["Regression:ProviderEndpoints:openai"] = "fake",
            ["Regression:Runs:Concurrency"] = "4",
            ["Regression:Suite:MaxFileBytes"] = MaxSuiteBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, "regruns");
        await App.WithDbAsync(async db =>
        {
            db.ModelVersions.AddRange(
                Priced(PinsFixture.Version("openai", "gpt-4o-2024-05-13", LifecycleStatus.Deprecated, new DateOnly(2026, 12, 15), false, "gpt-4o-2024-08-06"), 5, 15),
                Priced(PinsFixture.Version("openai", "gpt-4o-2024-08-06", LifecycleStatus.Active), 2.5m, 10),
                Priced(PinsFixture.Version("openai", "gpt-4o-mini-2024-07-18", LifecycleStatus.Deprecated, new DateOnly(2027, 6, 1), false, "gpt-4.1-mini"), 0.15m, 0.6m),
                PinsFixture.Version("openai", "gpt-4.1-mini", LifecycleStatus.Active),
                PinsFixture.Version("openai", "gpt-4.1", LifecycleStatus.Active),
                PinsFixture.Version("anthropic", "claude-3-5-sonnet-20241022", LifecycleStatus.Deprecated, new DateOnly(2027, 2, 1), true, "claude-sonnet-4-5"),
                PinsFixture.Version("anthropic", "claude-sonnet-4-5", LifecycleStatus.Active));
            await db.SaveChangesAsync();
            return 0;
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Llm.DisposeAsync();
    }

    private static ModelVersion Priced(ModelVersion v, decimal input, decimal output)
    {
        v.InputCostPerMillionTokens = input;
        v.OutputCostPerMillionTokens = output;
        return v;
    }

    public HttpClient Client(string? token)
    {
        var client = App.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public RunExecutor Executor => App.Services.GetRequiredService<RunExecutor>();

    /// A new team with one app pinning the given openai (or provider:model) models; returns the team's client.
    public async Task<(string Team, HttpClient Client)> TeamWithAppAsync(string app, params string[] pins)
    {
        var team = PinsFixture.UniqueName("reg");
        var created = await Client(AdminToken).PostAsJsonAsync("/api/teams", new { name = team, emails = new[] { $"{team}@corp.example" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var client = Client(body.RootElement.GetProperty("token").GetString());
        var put = await client.PutAsJsonAsync($"/api/teams/{team}/apps/{app}", new
        {
            pins = pins.Select(p => p.Contains(':', StringComparison.Ordinal)
                ? new { provider = p[..p.IndexOf(':', StringComparison.Ordinal)], model = p[(p.IndexOf(':', StringComparison.Ordinal) + 1)..], monthlyInputTokens = 1_000_000L }
                : new { provider = "openai", model = p, monthlyInputTokens = 1_000_000L }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (team, client);
    }

    public static async Task<HttpResponseMessage> PutSuiteAsync(HttpClient client, string team, string app, string name, string body, string contentType = "application/yaml") =>
        await client.PutAsync($"/api/teams/{team}/apps/{app}/suites/{name}", new StringContent(body, Encoding.UTF8, contentType));

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteSqlAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    /// A suite of my own words: n cases, each asking the echo server to repeat a phrase.
    public static string Suite(int cases) =>
        "description: echo checks\nprompts: ['Repeat: {{q}}']\ntests:\n"
        + string.Concat(Enumerable.Range(1, cases).Select(i => $"  - vars: {{ q: 'phrase {i}' }}\n    assert: [ {{ type: icontains, value: 'phrase {i}' }} ]\n"));
}
