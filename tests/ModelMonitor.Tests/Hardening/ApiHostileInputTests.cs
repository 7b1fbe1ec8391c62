using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Tests.Pins;

namespace ModelMonitor.Tests.Hardening;

/// Hostile API input the Pins tests do not already cover (see docs/hardening.md for the full list).
public sealed class ApiHostileInputTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    private async Task<(string Team, HttpClient Client)> TeamWithAnAppAsync()
    {
        var (team, token) = await fixture.CreateTeamAsync("hostile");
        var client = fixture.Client(token);
        var put = await client.PutAsJsonAsync($"/api/teams/{team}/apps/app", new { description = "before", pins = new[] { new { provider = "openai", model = "gpt-4o-2024-11-20" } } });
        Assert.True(put.IsSuccessStatusCode);
        return (team, client);
    }

    private async Task AssertAppUnchangedAsync(HttpClient client, string team)
    {
        var app = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/app");
        Assert.Equal("before", app.GetProperty("description").GetString());
        Assert.Equal("gpt-4o-2024-11-20", Assert.Single(app.GetProperty("pins").EnumerateArray()).GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(100)]
    [InlineData(100_000)]
    public async Task ADeeplyNestedBodyIsRejectedAtTheFirstWrongTypeAndChangesNothing(int depth)
    {
        // The reader is not recursive and stops at the first value of the wrong type (and at 64 levels in any
        // case), so depth costs nothing: the answer names the field where the nesting starts.
        var (team, client) = await TeamWithAnAppAsync();
        var json = "{\"pins\":" + new string('[', depth) + new string(']', depth) + "}";

        var response = await client.PutAsync($"/api/teams/{team}/apps/app", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("pins[0]", out _), problem.RootElement.ToString());
        await AssertAppUnchangedAsync(client, team);
    }

    [Fact]
    public async Task SqlInjectionInAFreeTextFieldIsStoredAsTextAndTouchesNothingElse()
    {
        var (team, client) = await TeamWithAnAppAsync();
        var teamsBefore = await fixture.App.WithDbAsync(db => db.Teams.CountAsync());
        const string description = "x'); DROP TABLE teams; -- \" OR 1=1; DELETE FROM pins WHERE ''=' \r\nX-Injected: yes <script>alert(1)</script>";

        var response = await client.PutAsJsonAsync($"/api/teams/{team}/apps/other", new { description, pins = Array.Empty<object>() });

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("X-Injected"));
        var read = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/other");
        Assert.Equal(description, read.GetProperty("description").GetString());
        Assert.Equal(teamsBefore, await fixture.App.WithDbAsync(db => db.Teams.CountAsync()));
        await AssertAppUnchangedAsync(client, team);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("%2E%2E")]
    [InlineData("..")]
    [InlineData("app%0D%0ASet-Cookie:%20x=1")]
    [InlineData("app'%3B%20DROP%20TABLE%20apps%3B--")]
    [InlineData("%252E%252E%252F")]
    public async Task TraversalAndInjectionInAnAppNameAreRefusedAndCreateNothing(string name)
    {
        var (team, client) = await TeamWithAnAppAsync();
        var appsBefore = await fixture.App.WithDbAsync(db => db.Apps.CountAsync());

        var put = await client.PutAsJsonAsync($"/api/teams/{team}/apps/{name}", new { pins = Array.Empty<object>() });
        var get = await client.GetAsync($"/api/teams/{team}/apps/{name}");

        Assert.Contains(put.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.Contains(get.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.OK });
        if (get.StatusCode == HttpStatusCode.OK)
            // ".." collapses to the team's app list before routing: a read of the caller's own list, nothing else.
            Assert.Equal(JsonValueKind.Array, (await get.Content.ReadFromJsonAsync<JsonElement>()).ValueKind);
        Assert.False(put.Headers.Contains("Set-Cookie"));
        Assert.Equal(appsBefore, await fixture.App.WithDbAsync(db => db.Apps.CountAsync()));
        await AssertAppUnchangedAsync(client, team);
    }

    [Fact]
    public async Task TraversalInATeamNameReachesNoOtherTeam()
    {
        var (team, client) = await TeamWithAnAppAsync();
        var (other, _) = await fixture.CreateTeamAsync("victim");

        var response = await client.GetAsync($"/api/teams/{team}%2F..%2F{other}/apps");

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.Forbidden });
        Assert.DoesNotContain("\"app\"", await response.Content.ReadAsStringAsync());
    }
}
