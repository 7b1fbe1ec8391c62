using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Storage;

namespace ModelMonitor.Reports;

/// Builds an app's readiness report: pins resolved as the API resolves them (PinResolver), with the catalog's
/// facts of pinned and successor versions, verdicts, waivers and the next email. A fixed number of queries
/// whatever the number of pins.
public sealed class ReadinessReports(MonitorDb db, PinResolver resolver, TimeProvider time, IOptions<NotificationOptions> notifications)
{
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<ReadinessReport?> BuildAsync(string team, string app, CancellationToken cancellationToken)
    {
        var found = await db.Apps.AsNoTracking()
            .Where(a => a.Name == app && a.Team!.Name == team)
            .Select(a => new { a.Id, a.Name, a.Description, a.Repository, a.TeamId })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
            return null;
        var today = Today;
        var stored = await db.Pins.AsNoTracking().Where(p => p.AppId == found.Id).OrderBy(p => p.Id).ToListAsync(cancellationToken);
        var specs = stored.Select(p => new PinSpec(p.Provider, p.Model, p.Version, p.Platform, p.Region, p.Environment, p.MonthlyInputTokens, p.MonthlyOutputTokens)).ToList();
        var resolved = await resolver.ResolveAsync(specs, today, cancellationToken);

        var pinIds = stored.Select(p => p.Id).ToArray();
        var verdicts = await db.Set<PinReadiness>().AsNoTracking().Where(r => pinIds.Contains(r.PinId))
            .ToDictionaryAsync(r => r.PinId, cancellationToken);
        var waivers = await db.Set<Waiver>().AsNoTracking().Where(w => w.AppId == found.Id).OrderBy(w => w.Until).ToListAsync(cancellationToken);

        // The catalog rows of every pinned version and successor, in one query.
        var providers = resolved.Select(r => r.CatalogProvider).Distinct().ToArray();
        var models = stored.Select(p => p.ResolvedModel ?? p.Model)
            .Concat(resolved.Select(r => r.AliasTarget).OfType<string>())
            .Concat(resolved.Select(r => r.Resolution.Successor).OfType<string>())
            .Distinct().ToArray();
        var facts = await db.ModelVersions.AsNoTracking()
            .Where(m => providers.Contains(m.Provider) && models.Contains(m.Model))
            .Select(m => new { m.Provider, m.Model, m.Version, m.ContextWindow, m.InputCostPerMillionTokens, m.OutputCostPerMillionTokens })
            .ToListAsync(cancellationToken);
        ModelFacts? Facts(string provider, string model, string version)
        {
            var row = facts.FirstOrDefault(f => f.Provider == provider && f.Model == model && f.Version == version)
                      ?? facts.Where(f => f.Provider == provider && f.Model == model).OrderByDescending(f => f.Version, StringComparer.Ordinal).FirstOrDefault();
            return row is null ? null : new ModelFacts(row.Model, row.Version.Length == 0 ? null : row.Version, row.ContextWindow, row.InputCostPerMillionTokens, row.OutputCostPerMillionTokens);
        }

        var rows = new List<PinReadinessRow>(stored.Count);
        var recorded = new List<VerdictRow>();
        for (var i = 0; i < stored.Count; i++)
        {
            var pin = stored[i];
            var r = resolved[i];
            var resolution = r.Resolution;
            var warnings = resolution.Warnings.ToList();
            if (pin.ResolvedModel is { } before && r.AliasTarget is { } now && now != before)
                warnings.Insert(0, $"alias '{pin.Model}' now points to '{now}'; it pointed to '{before}' when this pin was registered.");
            var verdict = verdicts.TryGetValue(pin.Id, out var v) ? v.Verdict : Readiness.Unknown;
            if (v is not null)
                recorded.Add(new VerdictRow(pin.Model, v.Verdict, v.DecidedAt));
            var waiver = waivers.LastOrDefault(w => w.Until >= today && w.Provider == pin.Provider && w.Model == pin.Model
                                                    && w.Version == pin.Version && w.Environment == pin.Environment);
            var waiverRow = waiver is null ? null : ToRow(waiver);
            var status = resolution.Status.ToString().ToLowerInvariant();
            rows.Add(new PinReadinessRow(
                pin.Provider, pin.Model, pin.Version.Length == 0 ? null : pin.Version, pin.Platform, pin.Region,
                pin.Environment.Length == 0 ? null : pin.Environment,
                status, resolution.ResolvedModel, resolution.RetiresOn,
                resolution.Retirement?.ToString().ToLowerInvariant(), resolution.DaysLeft, resolution.Successor, verdict,
                resolution.Status == PinStatus.Unknown ? null : Facts(r.CatalogProvider, r.AliasTarget ?? pin.Model, pin.Version),
                resolution.Successor is { } successor ? Facts(r.CatalogProvider, successor, "") : null,
                warnings, waiverRow,
                NextEmail(resolution, verdict, waiverRow, today, notifications.Value)));
        }

        var outbox = await OutboxAsync(found.TeamId, cancellationToken);
        var pinModels = stored.ToDictionary(p => p.Id, p => p.Model);
        var runs = (await RegressionRuns.LatestForAppAsync(db, found.Id, cancellationToken))
            .OrderBy(r => r.Run.PinId).ThenBy(r => r.SuiteName, StringComparer.Ordinal)
            .Select(r => new RegressionRunView(r.Run.Id, pinModels.GetValueOrDefault(r.Run.PinId ?? 0, r.Run.BaselineModel), r.SuiteName,
                r.Run.BaselineModel, r.Run.CandidateModel, r.Run.Recorded, r.Run.Status, r.Run.Verdict, Recommend(r), r.Run.FinishedAt, r.Run.Error, r.Report))
            .ToList();
        return new ReadinessReport(team, found.Name, found.Description, found.Repository, today, time.GetUtcNow(), rows,
            waivers.Select(ToRow).ToList(), outbox, new RegressionSection(recorded, runs));
    }

    /// What to do, in one sentence, from the run's verdict and reasons.
    public static string Recommend(StoredRun stored)
    {
        if (stored.Report is not { } report)
            return $"The run ended {stored.Run.Status} without a verdict{(stored.Run.Error is null ? "" : ": " + stored.Run.Error)}; run it again.";
        var candidate = stored.Run.CandidateModel;
        var why = report.Reasons.Count == 0 ? "" : $" ({string.Join("; ", report.Reasons)})";
        return report.Verdict switch
        {
            Regression.Readiness.Ready when report.UpgradeRecommended => $"Upgrade to {candidate}: it passes the suite and is faster or cheaper{why}.",
            Regression.Readiness.Ready => $"Ready to move to {candidate}{why}.",
            Regression.Readiness.NeedsReview => $"Review the regressions below before moving to {candidate}{why}.",
            Regression.Readiness.NotReady => $"Do not move to {candidate} yet{why}.",
            _ => $"Not enough results to judge {candidate}{why}.",
        };
    }

    private async Task<OutboxState> OutboxAsync(long teamId, CancellationToken cancellationToken)
    {
        var mine = db.Set<OutboxMessage>().AsNoTracking().Where(o => o.TeamId == teamId);
        var pending = await mine.Where(o => o.SentAt == null)
            .GroupBy(o => 1)
            .Select(g => new { Count = g.Count(), Next = g.Min(o => o.NextAttemptAt), Error = g.Max(o => o.LastError) })
            .FirstOrDefaultAsync(cancellationToken);
        var lastSent = await mine.MaxAsync(o => o.SentAt, cancellationToken);
        return new OutboxState(pending?.Count ?? 0, pending?.Next, lastSent, pending?.Error);
    }

    private static WaiverRow ToRow(Waiver w) =>
        new(w.Model, w.Version.Length == 0 ? null : w.Version, w.Environment.Length == 0 ? null : w.Environment, w.Until, w.Reason);

    /// The planner alerts a pin when its days left reach a milestone (a ready pin: the quieter ladder), and a
    /// retired pin daily. So the next email is the first of those days after today, or after the waiver ends.
    public static PlannedEmail? NextEmail(PinResolution resolution, string verdict, WaiverRow? waiver, DateOnly today, NotificationOptions options)
    {
        if (resolution.RetiresOn is not { } retires)
            return null;
        var after = waiver is not null && waiver.Until >= today ? waiver.Until : today;
        var ladder = verdict == Readiness.Ready ? options.EffectiveReadyMilestones : options.EffectiveMilestones;
        var candidates = ladder
            .Select(m => (On: retires.AddDays(-m), Why: m == 0 ? "retirement day" : $"{m} days before retirement"))
            .Where(c => c.On > after)
            .OrderBy(c => c.On)
            .ToList();
        if (candidates.Count > 0)
            return new PlannedEmail(candidates[0].On, candidates[0].Why);
        if (!options.RetiredDaily)
            return null;
        // Past the date: every day until the pin changes.
        var next = after.AddDays(1) > retires ? after.AddDays(1) : retires.AddDays(1);
        return new PlannedEmail(next, "daily while a retired version is pinned");
    }
}
