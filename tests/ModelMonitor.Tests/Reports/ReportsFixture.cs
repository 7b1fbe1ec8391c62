using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Regression;
using ModelSummary = ModelMonitor.Regression.ModelSummary;
using PinVerdicts = ModelMonitor.Notifications.Readiness;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Sources;
using ModelMonitor.Storage;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Pins;

namespace ModelMonitor.Tests.Reports;

/// One host and database for the report tests, seeded with my own facts (real model ids, dates chosen for the
/// tests; the clock stands at 2026-11-28): team "payments" with app "checkout" (a pin retiring in 17 days, not
/// ready, with a recorded regression run; a Claude pin under a waiver) and app "search" (fine); team "other"
/// with app "secret" pinning a retired model. Team-supplied text carries markup, to prove it is escaped.
public sealed class ReportsFixture : IAsyncLifetime
{
    public const string Team = "payments";
    public const string OtherTeam = "other";
    public const string HostileDescription = "Pays <script>alert('owned')</script> & <b>bold</b>";
    public const string HostileWaiverReason = "migrating in Q1 <img src=x onerror=alert(1)>";

    public MonitorApp App { get; private set; } = null!;
    public string TeamToken { get; private set; } = "";
    public string OtherTeamToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        App = await MonitorApp.StartAsync(Settings(), "reports");
        (TeamToken, OtherTeamToken) = await SeedAsync(App);
    }

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Auth:AdminToken"] = MonitorApp.AdminToken,
        ["Auth:FailedAttemptsPerMinute"] = "1000",
    };

    public async Task DisposeAsync() => await App.DisposeAsync();

    public HttpClient Client(string? token = null)
    {
        var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// Seeds through the API (teams, apps, pins) and the database (everything else); returns the two teams' tokens.
    public static async Task<(string TeamToken, string OtherTeamToken)> SeedAsync(MonitorApp App)
    {
        HttpClient Client(string token)
        {
            var client = App.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }
        await PinsFixture.SeedCatalogAsync(App);
        var admin = Client(MonitorApp.AdminToken);
        var TeamToken = await CreateTeamAsync(admin, Team);
        var OtherTeamToken = await CreateTeamAsync(admin, OtherTeam);

        await PutAppAsync(Client(TeamToken), Team, "checkout", new
        {
            description = HostileDescription,
            pins = new object[]
            {
                new { provider = "openai", model = "gpt-4o-2024-05-13", environment = "production", monthlyInputTokens = 1_000_000, monthlyOutputTokens = 200_000 },
                new { provider = "anthropic", model = "claude-3-5-sonnet-20241022" },
            },
        });
        await PutAppAsync(Client(TeamToken), Team, "search", new { pins = new object[] { new { provider = "openai", model = "gpt-4o-2024-11-20" } } });
        await PutAppAsync(Client(OtherTeamToken), OtherTeam, "secret", new { description = "other team's app", pins = new object[] { new { provider = "openai", model = "gpt-4-0613" } } });

        await App.WithDbAsync(async db =>
        {
            await db.ModelVersions.Where(m => m.Provider == "openai" && m.Model == "gpt-4o-2024-05-13")
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ContextWindow, 128_000).SetProperty(m => m.InputCostPerMillionTokens, 5m)
                    .SetProperty(m => m.OutputCostPerMillionTokens, 15m).SetProperty(m => m.ReleasedOn, new DateOnly(2024, 5, 13))
                    .SetProperty(m => m.DeprecatedOn, new DateOnly(2025, 11, 18)));
            await db.ModelVersions.Where(m => m.Provider == "openai" && m.Model == "gpt-4o-2024-08-06")
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ContextWindow, 128_000).SetProperty(m => m.InputCostPerMillionTokens, 2.5m)
                    .SetProperty(m => m.OutputCostPerMillionTokens, 10m));

            var checkout = await db.Apps.SingleAsync(a => a.Name == "checkout");
            var gpt4o = await db.Pins.SingleAsync(p => p.AppId == checkout.Id && p.Model == "gpt-4o-2024-05-13");
            await PinVerdicts.RecordAsync(db, gpt4o.Id, PinVerdicts.NotReady, App.Clock.GetUtcNow().AddDays(-1), default);
            db.Set<Waiver>().Add(new Waiver
            {
                AppId = checkout.Id, Provider = "anthropic", Model = "claude-3-5-sonnet-20241022", Until = new DateOnly(2026, 12, 31),
                Reason = HostileWaiverReason, CreatedAt = App.Clock.GetUtcNow().AddDays(-2),
            });

            var now = App.Clock.GetUtcNow();
            db.Sources.AddRange(
                new SourceState { Name = "openai", Provider = "openai", Health = SourceHealth.Healthy, LastFetchAt = now.AddHours(-2), LastSuccessAt = now.AddHours(-2), LastRows = 42 },
                new SourceState { Name = "litellm", Provider = "openai", Health = SourceHealth.Unhealthy, LastFetchAt = now.AddHours(-1), LastSuccessAt = now.AddDays(-3),
                    LastRows = 3, LastError = "rows fell from 400 to 3 <em>suspicious</em>", ConsecutiveFailures = 4 });
            var snapshot = new Snapshot { SourceName = "openai", Url = "https://platform.openai.com/docs/deprecations", FetchedAt = now.AddHours(-2), Outcome = SnapshotOutcome.Applied };
            var registrySnapshot = new Snapshot { SourceName = "litellm", Url = "https://example.org/model_prices.json", FetchedAt = now.AddDays(-3), Outcome = SnapshotOutcome.Applied };
            db.Snapshots.AddRange(snapshot, registrySnapshot);
            await db.SaveChangesAsync();

            var fromPage = Observation(snapshot, "openai", SourceAuthority.ProviderPage, new DateOnly(2026, 12, 15), "gpt-4o-2024-05-13 will shut down on 2026-12-15; use gpt-4o-2024-08-06.");
            var fromRegistry = Observation(registrySnapshot, "litellm", SourceAuthority.Registry, new DateOnly(2027, 1, 15), "deprecation_date: 2027-01-15");
            db.Observations.AddRange(fromPage, fromRegistry);
            await db.SaveChangesAsync();
            db.SourceStatements.AddRange(Statement(fromPage), Statement(fromRegistry));

            db.ChangeEvents.AddRange(
                new ChangeEvent { OccurredAt = now.AddDays(-1), Kind = ChangeKind.RetirementMovedEarlier, Provider = "openai", Model = "gpt-4o-2024-05-13",
                    OldValue = "2027-01-15", NewValue = "2026-12-15", SourceName = "openai", Evidence = "shut down on 2026-12-15" },
                new ChangeEvent { OccurredAt = now.AddDays(-5), Kind = ChangeKind.Deprecated, Provider = "openai", Model = "gpt-4-0613", SourceName = "openai" },
                new ChangeEvent { OccurredAt = now.AddDays(-3), Kind = ChangeKind.ModelAdded, Provider = "anthropic", Model = "claude-sonnet-4-5", SourceName = "anthropic" });
            db.ModelAliases.Add(new ModelAlias { Provider = "openai", Alias = "gpt-4o", Target = "gpt-4o-2024-05-13", ValidFrom = PinsFixture.LongAgo.AddDays(-200), ValidTo = new DateTimeOffset(2024, 10, 2, 0, 0, 0, TimeSpan.Zero) });

            var suite = new RegressionSuite { AppId = checkout.Id, Name = "checkout-prompts", Source = "cases: []", Format = RegressionSuite.Yaml, Sha256 = new string('a', 64), CaseCount = 12, UpdatedAt = now };
            db.Add(suite);
            await db.SaveChangesAsync();
            db.Add(new RegressionRun
            {
                AppId = checkout.Id, SuiteId = suite.Id, PinId = gpt4o.Id, BaselineModel = "gpt-4o-2024-05-13", CandidateModel = "gpt-4o-2024-08-06",
                Trigger = RunTrigger.Recorded, Recorded = true, Status = RunStatus.Completed, RequestedAt = now.AddDays(-1), StartedAt = now.AddDays(-1),
                FinishedAt = now.AddDays(-1), Verdict = "not-ready", Report = RegressionRuns.WriteReport(Report()),
            });
            await db.SaveChangesAsync();
            return 0;
        });
        return (TeamToken, OtherTeamToken);
    }

    public const string BaselineOutput = "The refund was approved and will arrive in 3 days.";
    public const string CandidateOutput = "The refund was rejected and will arrive <script>alert(2)</script> never.";

    public static RegressionReport Report() => new(
        ModelMonitor.Regression.Readiness.NotReady,
        UpgradeRecommended: false,
        Reasons: ["critical case(s) regressed: refund-status"],
        Cases: 12,
        ComparedCases: 12,
        Baseline: new ModelSummary("gpt-4o-2024-05-13", 12, 11, 1, 0, 11 / 12.0, 820, 1400, 12_000, 3_000, 0.105m, 0.00875m, 8m),
        Candidate: new ModelSummary("gpt-4o-2024-08-06", 12, 9, 3, 0, 9 / 12.0, 610, 990, 12_100, 3_300, 0.0633m, 0.005275m, 4.5m),
        Regressions:
        [
            new RegressedCase("refund-status", "Tells the customer the refund state", true, BaselineOutput, CandidateOutput, ["contains: expected 'approved'"]),
            new RegressedCase("tone", null, false, "Thanks for waiting.", "Thank you for waiting.", ["equals: expected the exact text"]),
        ],
        Improvements: 0,
        Significance: new Significance("mcnemar-exact", 2, 0, null, false, "too few cases for significance (12 compared, at least 20 needed)"),
        Latency: new LatencyChange(-210, -260, -150, -0.256),
        CostChange: -0.397);

    private static LifecycleObservation Observation(Snapshot snapshot, string source, SourceAuthority authority, DateOnly retires, string evidence) => new()
    {
        SnapshotId = snapshot.Id, SourceName = source, Authority = authority, Provider = "openai", Model = "gpt-4o-2024-05-13",
        Status = LifecycleStatus.Deprecated, RetiresOn = retires, Replacements = ["gpt-4o-2024-08-06"], Evidence = evidence, Url = snapshot.Url,
        FetchedAt = snapshot.FetchedAt, Section = "2025-11-18: gpt-4o snapshots",
    };

    private static SourceStatement Statement(LifecycleObservation o) => new()
    {
        SourceName = o.SourceName, Authority = o.Authority, Provider = o.Provider, Model = o.Model, Status = o.Status, RetiresOn = o.RetiresOn,
        Replacements = o.Replacements, Evidence = o.Evidence, Url = o.Url, ObservationId = o.Id, SnapshotId = o.SnapshotId,
        FirstSeenAt = o.FetchedAt, UpdatedAt = o.FetchedAt,
    };

    private static async Task<string> CreateTeamAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsJsonAsync("/api/teams", new { name, emails = new[] { $"{name}@corp.example" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task PutAppAsync(HttpClient client, string team, string app, object body)
    {
        var response = await client.PutAsJsonAsync($"/api/teams/{team}/apps/{app}", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
