using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelMonitor.Demo;
using ModelMonitor.Notifications;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Demo;

public sealed class DemoTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("monitor-demo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Dictionary<string, string?> Settings(bool enabled) => new()
    {
        ["Demo:Enabled"] = enabled ? "true" : "false",
        ["Demo:TokenFile"] = Path.Combine(_directory, "demo-team-token"),
        ["Mail:PickupDirectory"] = Path.Combine(_directory, "mail"),
    };

    private string[] Emails() =>
        Directory.Exists(Path.Combine(_directory, "mail")) ? Directory.GetFiles(Path.Combine(_directory, "mail"), "*.eml") : [];

    [Fact]
    public async Task TheDemoSeedsPagesTeamAppsAndADigestOnceAndARestartChangesNothing()
    {
        await using var app = await MonitorApp.StartAsync(Settings(enabled: false));
        var seeder = app.Services.GetRequiredService<DemoSeeder>();

        var first = await seeder.SeedAsync(CancellationToken.None);
        var token = (await File.ReadAllTextAsync(first.TokenFile)).Trim();
        var second = await seeder.SeedAsync(CancellationToken.None);

        Assert.Equal(2, first.SourcesImported);
        var o3Pro = await app.WithDbAsync(db => db.ModelVersions.SingleAsync(m => m.Provider == "azure-openai" && m.Model == "o3-pro" && m.Version == "2025-06-10"));
        Assert.Equal(new DateOnly(2026, 12, 10), o3Pro.RetiresOn);
        Assert.False(o3Pro.RetiresOnIsEstimate);
        var gpt4 = await app.WithDbAsync(db => db.ModelVersions.SingleAsync(m => m.Provider == "openai" && m.Model == "gpt-4-0314"));
        Assert.Equal(["gpt-5", "gpt-4.1"], gpt4.Replacements);

        // The token file is the demo team's token: it sees its two apps.
        var apps = await app.CreateClient(token).GetFromJsonAsync<JsonElement>("/api/teams/demo/apps");
        Assert.Equal(["claims-triage", "support-bot"], apps.EnumerateArray().Select(a => a.GetProperty("name").GetString()).Order());

        var email = Assert.Single(Emails());
        var text = await File.ReadAllTextAsync(email);
        Assert.Contains("Subject: o3-pro 2025-06-10 retires in 12 days", text, StringComparison.Ordinal);
        Assert.Contains("To: demo-team@example.com", text, StringComparison.Ordinal);
        Assert.True(first.EmailsSent == 1 && first.NotificationsPlanned > 0, first.ToString());

        // The recorded run: the suite's assertions evaluated on the recorded answers; the critical refund case
        // regressed on the candidate, so the pin is not ready (and the team is told so in the digest).
        Assert.Equal(1, first.RecordedRuns);
        var run = await app.WithDbAsync(db => db.Set<RegressionRun>().SingleAsync());
        Assert.True(run.Recorded);
        Assert.Equal(("recorded", "completed", "not-ready"), (run.Trigger, run.Status, run.Verdict));
        Assert.Equal(("o3-pro", "gpt-5-pro"), (run.BaselineModel, run.CandidateModel));
        var report = RegressionRuns.ReadReport(run.Report)!;
        Assert.Equal(["t2", "t7"], report.Regressions.Select(r => r.CaseId));
        Assert.Equal(16, await app.WithDbAsync(db => db.Set<RegressionResult>().CountAsync(r => r.RunId == run.Id)));
        Assert.Equal("not-ready", await app.WithDbAsync(db => db.Set<PinReadiness>().Where(r => r.PinId == run.PinId).Select(r => r.Verdict).SingleAsync()));
        Assert.Contains("Readiness: not-ready", text, StringComparison.Ordinal);
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<RegressionSuite>().CountAsync()));

        // A restart: nothing new to import, plan or send, and the token still works.
        Assert.Equal((0, 0, 0), (second.RecordedRuns, second.NotificationsPlanned, second.EmailsSent));
        Assert.Equal(token, (await File.ReadAllTextAsync(second.TokenFile)).Trim());
        Assert.Single(Emails());
    }

    [Fact]
    public async Task InDemoModeNoSourceIsFetchedAndTheDemoSeedsItselfAtStartUp()
    {
        await using var app = await MonitorApp.StartAsync(Settings(enabled: true));
        var tokenFile = Path.Combine(_directory, "demo-team-token");

        var sources = app.Services.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources.Values;
        var seeded = await app.Services.GetRequiredService<DemoSeeding>().Seeded.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotNull(seeded);
        Assert.Single(Emails());
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.False(s.Enabled, $"{s.Name} is enabled in demo mode"));
        var response = await app.CreateClient((await File.ReadAllTextAsync(tokenFile)).Trim()).GetAsync("/api/teams/demo/apps/support-bot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
