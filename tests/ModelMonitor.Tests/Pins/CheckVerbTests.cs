using ModelMonitor.Catalog;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Pins;

/// `check` and `pins import` as CI runs them: the built host as its own process, against a test database.
/// The process runs on the real clock, so the catalog's dates here are relative to the real today.
public sealed class CheckVerbTests : IAsyncLifetime
{
    private MonitorApp _app = null!;
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

    public async Task InitializeAsync()
    {
        _app = await MonitorApp.StartAsync(hint: "check");
        await _app.WithDbAsync(async db =>
        {
            db.ModelVersions.AddRange(
                PinsFixture.Version("openai", "gpt-4o-2024-08-06", LifecycleStatus.Active),
                PinsFixture.Version("openai", "gpt-4o-2024-05-13", LifecycleStatus.Deprecated, _today.AddDays(10), replacement: "gpt-4o-2024-08-06"),
                PinsFixture.Version("openai", "gpt-4-0613", LifecycleStatus.Deprecated, _today.AddDays(-40), replacement: "gpt-4o"));
            db.Teams.Add(new Team { Name = "payments", Emails = ["ml@corp.example"], TokenHash = TeamTokens.Hash(TeamTokens.Generate()) });
            return await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<MonitorProcess.Result> RunAsync(params string[] args) =>
        MonitorProcess.RunAsync(args, new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = _app.ConnectionString });

    private async Task<MonitorProcess.Result> ImportAsync(string yaml, params string[] extra)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pins-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await RunAsync(["pins", "import", "--team", "payments", "--file", file, .. extra]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ChecksExitCodesFollowTheWorstPin()
    {
        var imported = await ImportAsync("""
            app: checkout
            description: The checkout assistant
            pins:
              - provider: openai
                model: gpt-4o-2024-08-06
                environment: production
            """);
        var fine = await RunAsync("check", "--team", "payments", "--app", "checkout");

        await ImportAsync("pins:\n  - { provider: openai, model: gpt-4o-2024-08-06 }\n  - { provider: openai, model: gpt-4o-2024-05-13 }\n", "--app", "checkout");
        var retiring = await RunAsync("check", "--team", "payments", "--app", "checkout");
        var notWithinFive = await RunAsync("check", "--team", "payments", "--app", "checkout", "--within-days", "5");

        await ImportAsync("pins:\n  - { provider: openai, model: gpt-4o-2024-05-13 }\n  - { provider: openai, model: gpt-4-0613 }\n", "--app", "checkout");
        var retired = await RunAsync("check", "--team", "payments", "--app", "checkout");

        Assert.True(imported.ExitCode == 0, imported.Stderr);
        Assert.Contains("Created payments/checkout with 1 pin(s):", imported.Stdout);
        Assert.Equal(0, fine.ExitCode);
        Assert.Contains("OK        openai gpt-4o-2024-08-06 [production]: active", fine.Stdout);
        Assert.Equal(1, retiring.ExitCode);
        Assert.Contains($"RETIRING  openai gpt-4o-2024-05-13: deprecated, retires {_today.AddDays(10):yyyy-MM-dd} (firm), 10 days left; successor gpt-4o-2024-08-06", retiring.Stdout);
        Assert.Equal(0, notWithinFive.ExitCode);
        Assert.Equal(2, retired.ExitCode);
        Assert.Contains($"RETIRED   openai gpt-4-0613: retired, retired {_today.AddDays(-40):yyyy-MM-dd} (firm), 40 days ago; successor gpt-4o", retired.Stdout);
        Assert.Contains("payments/checkout: 2 pin(s); 1 retired, 1 retiring within 30 days", retired.Stdout);
    }

    [Fact]
    public async Task AnUnknownTeamOrAppIsADataError()
    {
        var noTeam = await RunAsync("check", "--team", "nobody", "--app", "checkout");
        var noApp = await RunAsync("check", "--team", "payments", "--app", "nothing");

        Assert.Equal(65, noTeam.ExitCode);
        Assert.Contains("monitor check: there is no team 'nobody'.", noTeam.Stderr);
        Assert.Equal(65, noApp.ExitCode);
        Assert.Contains("monitor check: team 'payments' has no app 'nothing'.", noApp.Stderr);
    }

    [Fact]
    public async Task CheckWithoutAnAppIsAUsageError()
    {
        var result = await RunAsync("check", "--team", "payments");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--app is required.", result.Stderr);
    }

    [Fact]
    public async Task AMalformedManifestIsADataErrorThatSaysWhere()
    {
        var result = await ImportAsync("app: broken\npins:\n  - provider: openai\n    modle: gpt-4o\n");

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("line 4: pins[0].modle is not a known field", result.Stderr);
    }

    [Fact]
    public async Task ImportingIntoAnUnknownTeamIsADataError()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pins-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "app: web\npins: []\n");
        var result = await RunAsync("pins", "import", "--team", "nobody", "--file", file);
        File.Delete(file);

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("there is no team 'nobody'.", result.Stderr);
    }

    [Fact]
    public async Task AnAppOptionThatContradictsTheManifestIsAUsageError()
    {
        var result = await ImportAsync("app: web\npins: []\n", "--app", "mobile");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--app 'mobile' differs from the manifest's app 'web'", result.Stderr);
    }
}
