using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Reports;

/// The host on a real Kestrel socket (the browser cannot reach the in-memory test server), seeded like the page tests.
public sealed class BrowserFixture : IAsyncLifetime
{
    public MonitorApp App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public string TeamToken { get; private set; } = "";
    public string OtherTeamToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var settings = ReportsFixture.Settings();
        settings["urls"] = "http://127.0.0.1:0";
        App = new MonitorApp(await PostgresServer.CreateDatabaseAsync("browser"), settings);
        App.UseKestrel();
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        (TeamToken, OtherTeamToken) = await ReportsFixture.SeedAsync(App);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// Chromium (Debian's, through Playwright) where /usr/bin/chromium exists; `.ci/run` installs it when missing.
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium))
            Skip = $"{Chromium} is missing: apt-get install -y chromium (.ci/run does this).";
    }
}

/// Logged in as a team, in a real browser: the dashboard, a link to the report, its tables and charts, no console
/// errors (a CSP violation is one), team-supplied markup shown as text; screenshots under TestResults/screenshots.
public sealed class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    public static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserFactAttribute.Chromium))
            return;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private sealed record Watched(IPage Page, List<string> Errors, List<string> Dialogs);

    private async Task<Watched> OpenAsync(ViewportSize? viewport = null, string? bearerToken = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.BaseUrl,
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
            ExtraHTTPHeaders = bearerToken is null ? null : new Dictionary<string, string> { ["Authorization"] = $"Bearer {bearerToken}" },
        });
        // Generous: on a shared 2-core machine the host, PostgreSQL and Chromium compete with other test classes.
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        var dialogs = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add($"{message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        return new Watched(page, errors, dialogs);
    }

    private static async Task LogInAsync(IPage page, string token)
    {
        await page.GotoAsync("/");
        Assert.EndsWith("/login?returnUrl=%2F", page.Url);
        await page.FillAsync("#token", token);
        await page.ClickAsync("form.login button[type=submit]");
        await ExpectPathAsync(page, "/");
    }

    // Polls the address rather than WaitForURLAsync, which also waits for the page's load event: in one CI run
    // that event was missed after the login's redirect, and the test timed out on a page that had long arrived.
    // The assertions that follow wait for the elements they read.
    private static Task ExpectPathAsync(IPage page, string path) =>
        Assertions.Expect(page).ToHaveURLAsync(new Regex($"^[a-z]+://[^/]+{Regex.Escape(path)}$"), new() { Timeout = 120_000 });

    [BrowserFact]
    public async Task ATeamLogsInOpensTheDashboardAndFollowsALinkToItsAppReport()
    {
        var (page, errors, dialogs) = await OpenAsync();

        await LogInAsync(page, fixture.TeamToken);
        Assert.Equal("Dashboard · team payments", await page.InnerTextAsync("h1"));
        var timeline = await page.QuerySelectorAsync("#timeline svg.timeline");
        Assert.True((await timeline!.BoundingBoxAsync())!.Height > 40);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard.png"), FullPage = true });

        await page.ClickAsync("table.at-risk a.app >> nth=0");
        await ExpectPathAsync(page, "/teams/payments/apps/checkout");

        Assert.Equal("payments / checkout", await page.InnerTextAsync("h1"));
        Assert.Equal(2, await page.Locator("table.regressions tr.regression").CountAsync());
        Assert.Equal("recorded", await page.InnerTextAsync("#regression .recorded"));
        foreach (var chart in new[] { "svg.latency", "svg.cost" })
        {
            var box = await (await page.QuerySelectorAsync(chart))!.BoundingBoxAsync();
            Assert.True(box is { Width: > 200, Height: > 40 }, $"{chart} is not drawn: {box?.Width}×{box?.Height}");
        }
        Assert.True(await page.Locator("table.regressions del").First.IsVisibleAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "app-report.png"), FullPage = true });

        Assert.Empty(errors);
        Assert.Empty(dialogs);
    }

    [BrowserFact]
    public async Task TeamSuppliedScriptShowsAsTextAndNeverRuns()
    {
        var (page, errors, dialogs) = await OpenAsync();
        await LogInAsync(page, fixture.TeamToken);

        await page.GotoAsync("/teams/payments/apps/checkout");

        Assert.Equal(ReportsFixture.HostileDescription, await page.InnerTextAsync(".description"));
        Assert.Equal(0, await page.Locator("script").CountAsync());
        Assert.Contains("<script>alert(2)</script>", await page.InnerTextAsync("table.regressions"));
        Assert.Empty(dialogs);
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task TheReportIsReadableOnAPhone()
    {
        // Signed in by bearer token (pages accept it too): this test is about layout, the login has its own.
        var (page, errors, _) = await OpenAsync(new ViewportSize { Width = 390, Height = 844 }, fixture.TeamToken);

        await page.GotoAsync("/teams/payments/apps/checkout");

        // Wide tables scroll inside themselves; the page itself does not scroll sideways.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "app-report-phone.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task AnotherTeamsReportIsNotFoundInTheBrowser()
    {
        var (page, _, _) = await OpenAsync();
        await LogInAsync(page, fixture.OtherTeamToken);

        var response = await page.GotoAsync("/teams/payments/apps/checkout");

        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("gpt-4o", await page.InnerTextAsync("main"));
    }
}
