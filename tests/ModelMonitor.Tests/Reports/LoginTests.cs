using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelMonitor.Reports;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Reports;

/// The page login: a token in, a session cookie out; bearer tokens keep working on pages.
public sealed class LoginTests(ReportsFixture fixture) : IClassFixture<ReportsFixture>
{
    private static FormUrlEncodedContent Form(string token, string returnUrl = "/") =>
        new(new Dictionary<string, string> { ["token"] = token, ["returnUrl"] = returnUrl });

    private async Task<string> LoginCookieAsync(string token, string returnUrl = "/")
    {
        var response = await fixture.Client().PostAsync("/login", Form(token, returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PageAuth.CookieName + "=", StringComparison.Ordinal));
        return cookie.Split(';')[0];
    }

    private async Task<HttpResponseMessage> GetWithCookieAsync(string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await fixture.Client().SendAsync(request);
    }

    [Fact]
    public async Task APageWithoutLoginRedirectsToTheLoginForm()
    {
        var response = await fixture.Client().GetAsync("/teams/payments/apps/checkout");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?returnUrl=%2Fteams%2Fpayments%2Fapps%2Fcheckout", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task LoginSetsAnHttpOnlyStrictCookieThatHoldsNotTheToken()
    {
        var response = await fixture.Client().PostAsync("/login", Form(fixture.TeamToken, "/teams/payments/apps/checkout"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/teams/payments/apps/checkout", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PageAuth.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fixture.TeamToken, cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.TeamToken[4..20], cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSessionCookieOpensTheTeamsPages()
    {
        var cookie = await LoginCookieAsync(fixture.TeamToken);

        var response = await GetWithCookieAsync("/teams/payments/apps/checkout", cookie);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("team payments", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheSessionCookieDoesNotOpenAnotherTeamsReport()
    {
        var cookie = await LoginCookieAsync(fixture.OtherTeamToken);

        var response = await GetWithCookieAsync("/teams/payments/apps/checkout", cookie);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AWrongTokenIsRefusedWithTheFormAgain()
    {
        var response = await fixture.Client().PostAsync("/login", Form("mon_" + new string('x', 43)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("That token is not valid.", page.QuerySelector("p.error")!.TextContent);
        Assert.NotNull(page.QuerySelector("form.login input[name=token]"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ALoginPostedFromAnotherSiteIsRefused()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = Form(fixture.TeamToken) };
        request.Headers.Add("Origin", "https://evil.example");

        var response = await fixture.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task AReturnUrlToAnotherSiteIsReplacedByTheDashboard()
    {
        var response = await fixture.Client().PostAsync("/login", Form(fixture.TeamToken, "//evil.example/phish"));

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/teams/a/apps/b", "/teams/a/apps/b")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void OnlyLocalPathsAreFollowedAfterLogin(string? returnUrl, string expected) =>
        Assert.Equal(expected, PageAuth.SafeReturnUrl(returnUrl));

    [Fact]
    public async Task RotatingTheTeamsTokenEndsItsSessions()
    {
        var admin = fixture.Client(MonitorApp.AdminToken);
        var created = await admin.PostAsJsonAsync("/api/teams", new { name = "rotating", emails = new[] { "rotating@corp.example" } });
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var cookie = await LoginCookieAsync(token);
        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync("/", cookie)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/teams/rotating/token", null)).StatusCode);

        var after = await GetWithCookieAsync("/", cookie);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/login", new Uri(new Uri("http://localhost"), after.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task LogoutEndsTheSession()
    {
        var cookie = await LoginCookieAsync(fixture.TeamToken);
        var logout = new HttpRequestMessage(HttpMethod.Post, "/logout");
        logout.Headers.Add("Cookie", cookie);

        var response = await fixture.Client().SendAsync(logout);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cleared = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PageAuth.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ABearerTokenOpensPagesWithoutACookie()
    {
        var response = await fixture.Client(fixture.TeamToken).GetAsync("/teams/payments/apps/checkout");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnInvalidBearerTokenOnAPageIsUnauthorizedNotRedirected()
    {
        var response = await fixture.Client("mon_" + new string('y', 43)).GetAsync("/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
