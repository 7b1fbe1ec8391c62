using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Pins;

public sealed class AuthTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    [Fact]
    public async Task NoTokenIsUnauthorizedWithABearerChallengeAndAProblem()
    {
        var response = await fixture.Client().GetAsync("/api/teams/anyone/apps");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"monitor\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("needs a bearer token", problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Bearer mon_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task AnInvalidTokenIsUnauthorizedWithInvalidTokenInTheChallenge(string authorization)
    {
        var client = fixture.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        var response = await client.GetAsync("/api/teams/anyone/apps");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain(authorization.Split(' ')[1], await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ATeamTokenCannotCreateTeams()
    {
        var (_, token) = await fixture.CreateTeamAsync();

        var response = await fixture.Client(token).PostAsJsonAsync("/api/teams", new { name = "intruders", emails = new[] { "x@corp.example" } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("This endpoint needs the admin token.", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TeamTokensAreLongRandomAndPrefixed()
    {
        var (_, first) = await fixture.CreateTeamAsync();
        var (_, second) = await fixture.CreateTeamAsync();

        Assert.StartsWith("mon_", first);
        Assert.Equal(4 + 43, first.Length); // 32 random bytes, base64url without padding
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task TheAdminTokenIsTheOnlyOtherTokenAccepted()
    {
        var response = await fixture.Client(PinsFixture.AdminToken + "x").GetAsync("/api/teams/anyone/apps");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RequestsWithoutAValidTokenAreRateLimitedPerAddress()
    {
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = PinsFixture.AdminToken,
            ["Auth:FailedAttemptsPerMinute"] = "3",
        });
        var bad = app.CreateClient();
        bad.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PinsFixture.AdminToken);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await bad.GetAsync("/api/teams/anyone/apps")).StatusCode);
        var limited = await bad.GetAsync("/api/teams/anyone/apps");
        var stillServed = await admin.GetAsync("/api/teams/anyone/apps");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        Assert.Contains("Too many requests without a valid token", await limited.Content.ReadAsStringAsync());
        // Valid tokens are not counted or blocked: the admin gets an answer about the team, not 429.
        Assert.Equal(HttpStatusCode.NotFound, stillServed.StatusCode);
    }

    [Fact]
    public async Task WithoutAnAdminTokenTheAdminApiSaysItIsDisabled()
    {
        await using var app = await MonitorApp.StartAsync();
        var token = TeamTokens.Generate();
        await app.WithDbAsync(async db =>
        {
            db.Teams.Add(new Team { Name = "payments", Emails = ["ml@corp.example"], TokenHash = TeamTokens.Hash(token) });
            return await db.SaveChangesAsync();
        });
        var team = app.CreateClient();
        team.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = new { name = "search", emails = new[] { "ml@corp.example" } };

        var anonymous = await app.CreateClient().PostAsJsonAsync("/api/teams", body);
        var withTeamToken = await team.PostAsJsonAsync("/api/teams", body);
        var teamStillWorks = await team.GetAsync("/api/teams/payments/apps");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("The admin API is disabled: Auth:AdminToken is not set", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, withTeamToken.StatusCode);
        Assert.Contains("The admin API is disabled: Auth:AdminToken is not set", await withTeamToken.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, teamStillWorks.StatusCode);
    }

    [Theory]
    [InlineData("too-short", "Auth:AdminToken must be at least 32 characters (it has 9)")]
    [InlineData("0123456789abcdef0123456789abcdef 0123", "Auth:AdminToken must not contain spaces")]
    public async Task ABadAdminTokenStopsTheServiceWithoutEchoingIt(string token, string expected)
    {
        var result = await MonitorProcess.RunAsync(["run"], new Dictionary<string, string?>
        {
            ["Auth__AdminToken"] = token,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(78, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain(token, result.Stderr + result.Stdout);
    }
}
