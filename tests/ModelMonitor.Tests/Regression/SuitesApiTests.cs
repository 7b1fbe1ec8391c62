using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelMonitor.Tests.Regression;

public sealed class SuitesApiTests(StoredRunsFixture fixture) : IClassFixture<StoredRunsFixture>
{
    [Fact]
    public async Task ASuiteIsCreatedReplacedListedReadAndDeleted()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");
        var path = $"/api/teams/{team}/apps/support/suites/answers";

        var created = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(2));
        var replaced = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers",
            """{ "prompts": ["Say {{q}}"], "tests": [ { "vars": { "q": "one" } }, { "vars": { "q": "two" } }, { "vars": { "q": "three" } } ] }""",
            "application/json");
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/support/suites");
        var one = await client.GetFromJsonAsync<JsonElement>(path);
        var deleted = await client.DeleteAsync(path);
        var afterDelete = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(path, created.Headers.Location?.OriginalString);
        Assert.Equal(2, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseCount").GetInt32());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal("answers", listed.GetProperty("name").GetString());
        Assert.Equal(3, listed.GetProperty("caseCount").GetInt32());
        Assert.Equal("json", listed.GetProperty("format").GetString());
        Assert.Equal(64, listed.GetProperty("sha256").GetString()!.Length);
        Assert.StartsWith("{ \"prompts\"", one.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
    }

    [Fact]
    public async Task ABrokenSuiteIsRefusedWithLineAndFieldAndNothingIsStored()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");

        var response = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "broken", """
            prompts: ['{{q}}']
            tests:
              - vars: { q: hello }
                assert:
                  - type: sounds-like
                    value: hi
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var first = problem.GetProperty("problems")[0];
        Assert.Equal(5, first.GetProperty("line").GetInt32());
        Assert.Contains("type", first.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Contains("sounds-like", first.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("line 5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/support/suites")).EnumerateArray());
    }

    [Fact]
    public async Task AnotherTeamsTokenSeesNoSuiteAndNoTokenIsUnauthorized()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");
        var (_, other) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");
        Assert.Equal(HttpStatusCode.Created, (await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(1))).StatusCode);

        var read = await other.GetAsync($"/api/teams/{team}/apps/support/suites/answers");
        var write = await StoredRunsFixture.PutSuiteAsync(other, team, "support", "answers", StoredRunsFixture.Suite(1));
        var anonymous = await fixture.Client(null).GetAsync($"/api/teams/{team}/apps/support/suites");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM regression_suites s JOIN apps a ON a.id = s.app_id JOIN teams t ON t.id = a.team_id WHERE t.name = $1", team));
    }

    [Fact]
    public async Task ASuiteOverTheSizeLimitIsRefusedWith413()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");

        var response = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "big", StoredRunsFixture.Suite(400));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxFileBytes", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNotASuiteTypeIsRefusedWith415()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");

        var response = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "answers", StoredRunsFixture.Suite(1), "application/xml");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task ASuiteNameThatIsNotASlugIsRefused()
    {
        var (team, client) = await fixture.TeamWithAppAsync("support", "gpt-4o-2024-05-13");

        var response = await StoredRunsFixture.PutSuiteAsync(client, team, "support", "Answers_V2", StoredRunsFixture.Suite(1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
    }
}
