using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelMonitor.Tests.Pins;

public sealed class TenantIsolationTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    private static readonly object Pins = new { pins = new[] { new { provider = "openai", model = "gpt-4o-2024-08-06" } } };

    // Every endpoint under a team, as (method, path after /api/teams/{team}).
    public static TheoryData<string, string> TeamEndpoints => new()
    {
        { "POST", "/token" },
        { "GET", "/apps" },
        { "PUT", "/apps/web" },
        { "GET", "/apps/web" },
        { "DELETE", "/apps/web" },
        { "GET", "/apps/web/impact" },
    };

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method == "PUT" ? JsonContent.Create(Pins) : null };

    private async Task<(string Name, string Token)> TeamWithAppAsync()
    {
        var team = await fixture.CreateTeamAsync();
        var put = await fixture.Client(team.Token).PutAsJsonAsync($"/api/teams/{team.Name}/apps/web", Pins);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return team;
    }

    [Theory]
    [MemberData(nameof(TeamEndpoints))]
    public async Task AnotherTeamsPathsAnswerExactlyLikeAMissingTeam(string method, string path)
    {
        var a = await TeamWithAppAsync();
        var b = await TeamWithAppAsync();
        var asA = fixture.Client(a.Token);
        var asB = fixture.Client(b.Token);

        var aOnB = await asA.SendAsync(Request(method, $"/api/teams/{b.Name}{path}"));
        var bOnA = await asB.SendAsync(Request(method, $"/api/teams/{a.Name}{path}"));
        var aOnNobody = await asA.SendAsync(Request(method, $"/api/teams/no-such-team{path}"));

        Assert.Equal(HttpStatusCode.NotFound, aOnB.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bOnA.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, aOnNobody.StatusCode);
        Assert.Equal(await ShapeAsync(aOnNobody, "no-such-team"), await ShapeAsync(aOnB, b.Name));
        Assert.Equal(await ShapeAsync(aOnNobody, "no-such-team"), await ShapeAsync(bOnA, a.Name));

        // Nothing of either team changed: both apps and both tokens are as they were.
        foreach (var (name, token) in new[] { a, b })
        {
            var app = await fixture.Client(token).GetFromJsonAsync<JsonElement>($"/api/teams/{name}/apps/web");
            Assert.Equal("gpt-4o-2024-08-06", app.GetProperty("pins")[0].GetProperty("model").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(TeamEndpoints))]
    public async Task EveryTeamEndpointNeedsAToken(string method, string path)
    {
        var a = await TeamWithAppAsync();

        var response = await fixture.Client().SendAsync(Request(method, $"/api/teams/{a.Name}{path}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [MemberData(nameof(TeamEndpoints))]
    public async Task TheAdminTokenWorksOnEveryTeam(string method, string path)
    {
        var a = await TeamWithAppAsync();

        var response = await fixture.Admin().SendAsync(Request(method, $"/api/teams/{a.Name}{path}"));

        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task CreatingATeamNeedsAToken()
    {
        var response = await fixture.Client().PostAsJsonAsync("/api/teams", new { name = "anonymous", emails = new[] { "a@corp.example" } });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheAdminGetsNotFoundForAMissingTeam()
    {
        var response = await fixture.Admin().GetAsync("/api/teams/no-such-team/apps");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no team 'no-such-team'.", await response.Content.ReadAsStringAsync());
    }

    // The problem with the team's name and the per-request trace id taken out.
    private static async Task<string> ShapeAsync(HttpResponseMessage response, string team)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = body.RootElement.EnumerateObject()
            .Where(p => p.Name != "traceId")
            .Select(p => $"{p.Name}={p.Value.ToString().Replace(team, "{team}", StringComparison.Ordinal)}");
        return string.Join("; ", fields) + $"; content-type={response.Content.Headers.ContentType?.MediaType}";
    }
}
