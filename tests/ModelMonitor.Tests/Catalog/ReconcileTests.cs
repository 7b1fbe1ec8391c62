using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Storage;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Catalog;

/// Reconciling constructed observations, snapshot after snapshot, and reading what the catalog recorded.
public sealed class ReconcileTests
{
    private static Observation Gpt(DateOnly? retiresOn = null, bool estimate = false, string[]? replacements = null, string[]? aliases = null,
        DateOnly? deprecatedOn = null, string model = "gpt-4-0613", string? section = null, LifecycleStatus? status = LifecycleStatus.Deprecated) => new()
    {
        Provider = "openai",
        Platform = "openai",
        Model = model,
        Status = status,
        DeprecatedOn = deprecatedOn,
        RetiresOn = retiresOn,
        RetiresOnIsEstimate = estimate,
        RetiresOnPrecision = DatePrecision.Day,
        Replacements = replacements ?? [],
        Aliases = aliases ?? [],
        Section = section ?? "2024-06-06: GPT-4 models",
        Evidence = $"{model} | {retiresOn:yyyy-MM-dd}",
    };

    [Fact]
    public async Task AFirstSightingAddsTheModelWithItsDeprecationAndRetirementDate()
    {
        await using var app = await MonitorApp.StartAsync();

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6), replacements: ["gpt-4o"]));

        var model = await ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal(new DateOnly(2027, 6, 6), model.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, model.Status);
        Assert.Equal(["gpt-4o"], model.Replacements);
        Assert.Equal("openai", model.CurrentSource);
        Assert.Equal(
            [ChangeKind.ModelAdded, ChangeKind.Deprecated, ChangeKind.RetirementDateSet],
            (await EventsAsync(app)).Select(e => e.Kind));
    }

    [Fact]
    public async Task RetirementMovedEarlierIsReported()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 3, 1)));

        var moved = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedEarlier);
        Assert.Equal(("2027-06-06", "2027-03-01"), (moved.OldValue, moved.NewValue));
        Assert.Equal("openai", moved.SourceName);
        Assert.Equal(new DateOnly(2027, 3, 1), (await ModelAsync(app, "openai", "gpt-4-0613")).RetiresOn);
    }

    [Fact]
    public async Task RetirementMovedLaterIsReported()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 3, 1)));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 9, 30)));

        var moved = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedLater);
        Assert.Equal(("2027-03-01", "2027-09-30"), (moved.OldValue, moved.NewValue));
        Assert.DoesNotContain(await EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedEarlier);
    }

    [Fact]
    public async Task EstimateBecameFirmIsReportedEvenOnTheSameDate()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 1), estimate: true));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 1), estimate: false));

        var firm = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.EstimateBecameFirm);
        Assert.Equal(("2027-06-01 (estimate)", "2027-06-01"), (firm.OldValue, firm.NewValue));
        Assert.False((await ModelAsync(app, "openai", "gpt-4-0613")).RetiresOnIsEstimate);
        Assert.DoesNotContain(await EventsAsync(app), e => e.Kind is ChangeKind.RetirementMovedEarlier or ChangeKind.RetirementMovedLater);
    }

    [Fact]
    public async Task ReplacementChangedIsReported()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6), replacements: ["gpt-4o"]));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6), replacements: ["gpt-4.1", "gpt-4o"]));

        var changed = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.ReplacementChanged);
        Assert.Equal(("gpt-4o", "gpt-4.1, gpt-4o"), (changed.OldValue, changed.NewValue));
    }

    [Fact]
    public async Task TheSameObservationsAgainChangeNothing()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));
        var before = await ModelAsync(app, "openai", "gpt-4-0613");
        app.Clock.Advance(TimeSpan.FromHours(6));

        var result = await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));

        Assert.Equal((0, 0, 0, 0), (result.StatementsChanged, result.ModelsAdded, result.ModelsUpdated, result.Events));
        Assert.Equal(before.UpdatedAt, (await ModelAsync(app, "openai", "gpt-4-0613")).UpdatedAt);
    }

    [Fact]
    public async Task AliasRepointedClosesTheOldPeriodAndOpensANewOne()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(model: "gpt-4o-2024-05-13", aliases: ["gpt-4o"], status: LifecycleStatus.Active));
        var first = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromDays(30));

        await ReconcileAsync(app, "openai",
            Gpt(model: "gpt-4o-2024-05-13", status: LifecycleStatus.Active),
            Gpt(model: "gpt-4o-2024-08-06", aliases: ["gpt-4o"], status: LifecycleStatus.Active));

        var periods = await app.WithDbAsync(db => db.ModelAliases.Where(a => a.Alias == "gpt-4o").OrderBy(a => a.ValidFrom).ToListAsync());
        Assert.Equal(2, periods.Count);
        Assert.Equal(("gpt-4o-2024-05-13", first, app.Clock.GetUtcNow()), (periods[0].Target, periods[0].ValidFrom, periods[0].ValidTo!.Value));
        Assert.Equal(("gpt-4o-2024-08-06", (DateTimeOffset?)null), (periods[1].Target, periods[1].ValidTo));
        var repointed = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.AliasRepointed);
        Assert.Equal(("gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-2024-08-06"), (repointed.Model, repointed.OldValue, repointed.NewValue));
    }

    [Fact]
    public async Task AModelLeavingItsPageIsRecordedAsVanishedAndKept()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)), Gpt(new DateOnly(2027, 6, 6), model: "gpt-4-0314"));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));

        var vanished = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.Vanished);
        Assert.Equal("gpt-4-0314", vanished.Model);
        var kept = await ModelAsync(app, "openai", "gpt-4-0314");
        Assert.Equal(new DateOnly(2027, 6, 6), kept.RetiresOn);
        Assert.Equal(app.Clock.GetUtcNow(), kept.VanishedAt);
        Assert.Null((await ModelAsync(app, "openai", "gpt-4-0613")).VanishedAt);
    }

    [Fact]
    public async Task AModelBackOnItsPageIsRecordedAsReappeared()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)), Gpt(new DateOnly(2027, 6, 6), model: "gpt-4-0314"));
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));

        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)), Gpt(new DateOnly(2027, 6, 6), model: "gpt-4-0314"));

        Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.Reappeared && e.Model == "gpt-4-0314");
        Assert.Null((await ModelAsync(app, "openai", "gpt-4-0314")).VanishedAt);
    }

    [Fact]
    public async Task AFirmDateThatHasPassedRetiresTheModelAtReconcile()
    {
        await using var app = await MonitorApp.StartAsync();

        // The clock says 2026-11-28: this date has passed.
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2026, 11, 1)));

        Assert.Equal(LifecycleStatus.Retired, (await ModelAsync(app, "openai", "gpt-4-0613")).Status);
        var retired = Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.Retired);
        Assert.Equal("retirement date 2026-11-01 passed", retired.Evidence);
    }

    [Fact]
    public async Task TheDailyPassRetiresAModelWhenTheClockPassesItsFirmDate()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2026, 12, 15)), Gpt(new DateOnly(2026, 12, 15), estimate: true, model: "gpt-4-0314"));
        Assert.Equal(0, await RetireDueAsync(app));

        app.Clock.Advance(TimeSpan.FromDays(18));
        var retired = await RetireDueAsync(app);

        Assert.Equal(1, retired);
        Assert.Equal(LifecycleStatus.Retired, (await ModelAsync(app, "openai", "gpt-4-0613")).Status);
        // An estimate ("no earlier than") passing is not a retirement.
        Assert.Equal(LifecycleStatus.Deprecated, (await ModelAsync(app, "openai", "gpt-4-0314")).Status);
        Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.Retired);
        Assert.Equal(0, await RetireDueAsync(app));
        // A later reconcile of the same page agrees with the pass: no status flip-flop.
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2026, 12, 15)), Gpt(new DateOnly(2026, 12, 15), estimate: true, model: "gpt-4-0314"));
        Assert.DoesNotContain(await EventsAsync(app), e => e.Kind == ChangeKind.StatusChanged);
    }

    [Fact]
    public async Task TheMostRecentlyAnnouncedOccurrenceOnAPageWins()
    {
        await using var app = await MonitorApp.StartAsync();

        await ReconcileAsync(app, "openai",
            Gpt(new DateOnly(2027, 6, 6), deprecatedOn: new DateOnly(2024, 6, 6), section: "2024-06-06: GPT-4"),
            Gpt(new DateOnly(2027, 9, 1), deprecatedOn: new DateOnly(2025, 4, 14), section: "2025-04-14: GPT-4 again"));

        var model = await ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal(new DateOnly(2027, 9, 1), model.RetiresOn);
        Assert.Equal(new DateOnly(2025, 4, 14), model.DeprecatedOn);
        Assert.Equal(2, await app.WithDbAsync(db => db.Observations.CountAsync(o => o.Model == "gpt-4-0613")));
    }

    [Fact]
    public async Task ARegistryDateNeverOverridesAProviderPageDate()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)));

        await ReconcileAsync(app, "litellm", SourceAuthority.Registry, Registry("gpt-4-0613", new DateOnly(2027, 1, 1), 8192, 30m));

        var model = await ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal(new DateOnly(2027, 6, 6), model.RetiresOn);
        Assert.Equal("openai", model.RetiresOnSource);
        // The registry still contributes what the page does not say.
        Assert.Equal((8192, 30m), (model.ContextWindow, model.InputCostPerMillionTokens));
        Assert.DoesNotContain(await EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedEarlier);
    }

    [Fact]
    public async Task ARegistryDateFillsTheGapWhenNoPageGivesOneAndSaysSo()
    {
        await using var app = await MonitorApp.StartAsync();
        await ReconcileAsync(app, "openai", Gpt(retiresOn: null));

        await ReconcileAsync(app, "litellm", SourceAuthority.Registry, Registry("gpt-4-0613", new DateOnly(2027, 1, 1), null, null));

        var model = await ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal((new DateOnly(2027, 1, 1), "litellm", "openai"), (model.RetiresOn, model.RetiresOnSource, model.CurrentSource));
    }

    [Fact]
    public async Task ObservationsOfAnotherPlatformLandUnderItAndUnknownProvidersAreAdded()
    {
        await using var app = await MonitorApp.StartAsync();

        await ReconcileAsync(app, "litellm", SourceAuthority.Registry, Registry("some-model", null, 4096, null) with { Platform = "together-ai" });

        Assert.True(await app.WithDbAsync(db => db.Providers.AnyAsync(p => p.Name == "together-ai")));
        var model = await ModelAsync(app, "together-ai", "some-model");
        Assert.Equal(4096, model.ContextWindow);
        var observation = await app.WithDbAsync(db => db.Observations.SingleAsync(o => o.Model == "some-model"));
        Assert.Equal((SourceAuthority.Registry, "litellm", "https://example.test/litellm"), (observation.Authority, observation.SourceName, observation.Url));
    }

    [Fact]
    public async Task AzureModelsAreKeyedByNameAndVersion()
    {
        await using var app = await MonitorApp.StartAsync();

        await ReconcileAsync(app, "azure-openai",
            new Observation { Provider = "azure-openai", Model = "gpt-4o", Version = "2024-05-13", RetiresOn = new DateOnly(2027, 3, 1), Status = LifecycleStatus.Deprecated },
            new Observation { Provider = "azure-openai", Model = "gpt-4o", Version = "2024-11-20", RetiresOn = new DateOnly(2027, 10, 1), Status = LifecycleStatus.Active });

        var versions = await app.WithDbAsync(db => db.ModelVersions.Where(m => m.Model == "gpt-4o").OrderBy(m => m.Version).ToListAsync());
        Assert.Equal([("2024-05-13", new DateOnly(2027, 3, 1)), ("2024-11-20", new DateOnly(2027, 10, 1))],
            versions.Select(v => (v.Version, v.RetiresOn!.Value)));
    }

    [Fact]
    public async Task TwoSourcesReconcilingTheSameModelAtOnceBothCount()
    {
        await using var app = await MonitorApp.StartAsync();

        await Task.WhenAll(
            Task.Run(() => ReconcileAsync(app, "openai", Gpt(new DateOnly(2027, 6, 6)))),
            Task.Run(() => ReconcileAsync(app, "litellm", SourceAuthority.Registry, Registry("gpt-4-0613", new DateOnly(2027, 1, 1), 8192, 30m))));

        var model = await ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal((new DateOnly(2027, 6, 6), "openai", 8192), (model.RetiresOn, model.RetiresOnSource, model.ContextWindow));
        Assert.Single(await EventsAsync(app), e => e.Kind == ChangeKind.ModelAdded);
    }

    internal static Observation Registry(string model, DateOnly? retiresOn, int? context, decimal? input) => new()
    {
        Provider = "litellm",
        Platform = "openai",
        Model = model,
        Status = retiresOn is null ? null : LifecycleStatus.Deprecated,
        RetiresOn = retiresOn,
        ContextWindow = context,
        InputCostPerMillionTokens = input,
        Section = model,
        Evidence = $"{model} | litellm_provider openai",
    };

    internal static Task<ReconcileResult> ReconcileAsync(MonitorApp app, string source, params Observation[] observations) =>
        ReconcileAsync(app, source, SourceAuthority.ProviderPage, observations);

    internal static async Task<ReconcileResult> ReconcileAsync(MonitorApp app, string source, SourceAuthority authority, params Observation[] observations)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        if (await db.Sources.FindAsync(source) is null)
            db.Sources.Add(new SourceState { Name = source, Provider = source });
        var snapshot = new Snapshot
        {
            SourceName = source, FetchedAt = app.Clock.GetUtcNow(), Url = $"https://example.test/{source}", Outcome = SnapshotOutcome.Applied,
        };
        db.Snapshots.Add(snapshot);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.SaveChangesAsync();
        var result = await scope.ServiceProvider.GetRequiredService<Reconciler>()
            .ReconcileAsync(new ReconcileSource(source, authority), snapshot, observations, CancellationToken.None);
        await transaction.CommitAsync();
        return result;
    }

    internal static async Task<int> RetireDueAsync(MonitorApp app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<Reconciler>().RetireDueAsync(CancellationToken.None);
    }

    internal static Task<ModelVersion> ModelAsync(MonitorApp app, string provider, string model) =>
        app.WithDbAsync(db => db.ModelVersions.AsNoTracking().SingleAsync(m => m.Provider == provider && m.Model == model));

    internal static Task<List<ChangeEvent>> EventsAsync(MonitorApp app) =>
        app.WithDbAsync(db => db.ChangeEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
}
