using Microsoft.EntityFrameworkCore;
using ModelMonitor.Sources;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Storage;

namespace ModelMonitor.Catalog;

public readonly record struct CatalogKey(string Provider, string Model, string Version)
{
    public override string ToString() => Version.Length == 0 ? $"{Provider}/{Model}" : $"{Provider}/{Model}@{Version}";
}

public sealed record ReconcileSource(string Name, SourceAuthority Authority);

public sealed record ReconcileResult(int Observations, int StatementsChanged, int ModelsAdded, int ModelsUpdated, int Events);

/// Folds one accepted snapshot's observations into the catalog: stores them with provenance, updates what the
/// source says (one merged statement per model version), re-derives the catalog's view of every model version
/// whose statement changed, and records what changed as events. The caller owns the transaction.
///
/// Rules:
/// - Within one source, the occurrences of a model version are merged: the most recently announced one
///   (latest DeprecatedOn; without dates, the first on the page) wins, and fields it leaves empty are filled from
///   the next most recent. Aliases are the union.
/// - Across sources: provider page > provider API > registry; among equals, a source still listing the model beats
///   one it vanished from, then the later DeprecatedOn, then the source name. Each field comes from the first
///   source that states it, so a registry date never overrides a page's date but can fill one no page gives
///   (RetiresOnSource says where it came from). Disagreements stay in the statements and are shown as conflicts.
/// - A firm retirement date that has passed (by the injected clock) makes the model Retired.
/// - A model leaving a page is recorded (statement vanished, event), never deleted; its last word still counts.
public sealed partial class Reconciler(MonitorDb db, TimeProvider time, ILogger<Reconciler> logger)
{
    private const int MaxSection = 500;
    private const int MaxEvidence = 4000;

    public async Task<ReconcileResult> ReconcileAsync(ReconcileSource source, Snapshot snapshot, IReadOnlyList<Observation> observations, CancellationToken cancellationToken)
    {
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("reconcile");
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Reconcile runs inside the caller's transaction, so a snapshot is applied whole or not at all.");
        await LockCatalogAsync(cancellationToken);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        var rows = new List<LifecycleObservation>(observations.Count);
        foreach (var observation in observations)
        {
            if (ToRow(observation, source, snapshot) is { } row)
                rows.Add(row);
            else
                Log.Skipped(logger, source.Name, observation.Model, observation.Version ?? "");
        }
        await UpsertProvidersAsync(rows.Select(r => r.Provider).Distinct(StringComparer.Ordinal).ToArray(), cancellationToken);
        db.Observations.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);

        var merged = rows.GroupBy(KeyOf).ToDictionary(g => g.Key, g => Merge(g.ToList()));
        var statements = await db.SourceStatements.Where(s => s.SourceName == source.Name).ToDictionaryAsync(KeyOf, cancellationToken);
        var transitions = UpdateStatements(source, snapshot, merged, statements, now);

        var events = new List<ChangeEvent>();
        var (added, updated) = transitions.Count == 0
            ? (0, 0)
            : await UpdateViewsAsync(source, snapshot, transitions, statements, events, now, today, cancellationToken);
        if (source.Authority != SourceAuthority.Registry)
            await UpdateAliasesAsync(source, snapshot, merged.Values, events, now, cancellationToken);

        db.ChangeEvents.AddRange(events);
        await db.SaveChangesAsync(cancellationToken);
        return new ReconcileResult(rows.Count, transitions.Count, added, updated, events.Count);
    }

    /// The daily pass: every model whose firm retirement date has passed becomes Retired, with an event.
    public async Task<int> RetireDueAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockCatalogAsync(cancellationToken);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var due = await db.ModelVersions
            .Where(m => m.RetiresOn <= today && !m.RetiresOnIsEstimate && (m.Status == null || m.Status != LifecycleStatus.Retired))
            .ToListAsync(cancellationToken);
        foreach (var model in due)
        {
            db.ChangeEvents.Add(Event(ChangeKind.Retired, new CatalogKey(model.Provider, model.Model, model.Version), now,
                Format(model.Status), Format(LifecycleStatus.Retired), null, null, $"retirement date {model.RetiresOn:yyyy-MM-dd} passed"));
            model.Status = LifecycleStatus.Retired;
            model.UpdatedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    // Two sources can speak of the same model version (a page and the registry); their reconciles, on any node,
    // take turns, so each derives its view from the other's committed statements and no update is lost.
    // A transaction-scoped advisory lock: released by the commit or rollback.
    private async Task LockCatalogAsync(CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CatalogLockClass}, 0)", cancellationToken);

    private const int CatalogLockClass = 0x6361; // "ca"

    private static LifecycleObservation? ToRow(Observation o, ReconcileSource source, Snapshot snapshot)
    {
        var provider = (o.Platform ?? o.Provider).Trim();
        var model = o.Model.Trim();
        var version = o.Version?.Trim() ?? "";
        // Identity columns are never truncated: a mangled id would be a different model.
        if (provider.Length is 0 or > 64 || model.Length is 0 or > 200 || version.Length > 64)
            return null;
        return new LifecycleObservation
        {
            SnapshotId = snapshot.Id,
            SourceName = source.Name,
            Authority = source.Authority,
            Provider = provider,
            Model = model,
            Version = version,
            Aliases = o.Aliases.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct().ToList(),
            Status = o.Status,
            ReleasedOn = o.ReleasedOn,
            DeprecatedOn = o.DeprecatedOn,
            RetiresOn = o.RetiresOn,
            RetiresOnIsEstimate = o.RetiresOn is not null && o.RetiresOnIsEstimate,
            RetiresOnPrecision = o.RetiresOnPrecision,
            Replacements = o.Replacements.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct().ToList(),
            ContextWindow = o.ContextWindow,
            InputCostPerMillionTokens = o.InputCostPerMillionTokens,
            OutputCostPerMillionTokens = o.OutputCostPerMillionTokens,
            Section = Truncate(o.Section, MaxSection),
            Evidence = Truncate(o.Evidence, MaxEvidence),
            Problems = o.Problems.ToList(),
            Url = snapshot.Url,
            FetchedAt = snapshot.FetchedAt,
        };
    }

    private async Task UpsertProvidersAsync(string[] names, CancellationToken cancellationToken)
    {
        if (names.Length == 0)
            return;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO providers (name, display_name) SELECT n, n FROM unnest({names}) AS n ON CONFLICT (name) DO NOTHING",
            cancellationToken);
    }

    // The most recently announced occurrence first (document order breaks ties); later ones only fill gaps.
    private static LifecycleObservation[] Merge(List<LifecycleObservation> occurrences) =>
        occurrences.Select((o, index) => (o, index))
            .OrderByDescending(x => x.o.DeprecatedOn ?? DateOnly.MinValue)
            .ThenBy(x => x.index)
            .Select(x => x.o)
            .ToArray();

    private Dictionary<CatalogKey, Transition> UpdateStatements(
        ReconcileSource source, Snapshot snapshot, Dictionary<CatalogKey, LifecycleObservation[]> merged,
        Dictionary<CatalogKey, SourceStatement> statements, DateTimeOffset now)
    {
        var transitions = new Dictionary<CatalogKey, Transition>();
        foreach (var (key, occurrences) in merged)
        {
            var primary = occurrences[0];
            if (!statements.TryGetValue(key, out var statement))
            {
                statement = new SourceStatement
                {
                    SourceName = source.Name, Provider = key.Provider, Model = key.Model, Version = key.Version,
                    Url = primary.Url, FirstSeenAt = now,
                };
                Fill(statement, source, snapshot, occurrences, now);
                db.SourceStatements.Add(statement);
                statements[key] = statement;
                transitions[key] = Transition.Added;
                continue;
            }
            var wasVanished = statement.VanishedAt is not null;
            var changed = Fill(statement, source, snapshot, occurrences, now);
            statement.VanishedAt = null;
            if (wasVanished)
                transitions[key] = Transition.Reappeared;
            else if (changed)
                transitions[key] = Transition.Changed;
        }
        foreach (var (key, statement) in statements)
        {
            if (statement.VanishedAt is null && !merged.ContainsKey(key))
            {
                statement.VanishedAt = now;
                transitions[key] = Transition.Vanished;
            }
        }
        return transitions;
    }

    // Writes the merged occurrences into the statement; true when what it says changed.
    private static bool Fill(SourceStatement s, ReconcileSource source, Snapshot snapshot, LifecycleObservation[] occurrences, DateTimeOffset now)
    {
        var primary = occurrences[0];
        var retires = occurrences.FirstOrDefault(o => o.RetiresOn is not null);
        var next = new SourceStatement
        {
            SourceName = source.Name, Provider = s.Provider, Model = s.Model, Version = s.Version, Url = primary.Url,
            Authority = source.Authority,
            Status = occurrences.Select(o => o.Status).FirstOrDefault(v => v is not null),
            ReleasedOn = occurrences.Select(o => o.ReleasedOn).FirstOrDefault(v => v is not null),
            DeprecatedOn = occurrences.Select(o => o.DeprecatedOn).FirstOrDefault(v => v is not null),
            RetiresOn = retires?.RetiresOn,
            RetiresOnIsEstimate = retires?.RetiresOnIsEstimate ?? false,
            RetiresOnPrecision = retires?.RetiresOnPrecision ?? DatePrecision.Day,
            Replacements = occurrences.Select(o => o.Replacements).FirstOrDefault(r => r.Count > 0) ?? [],
            Aliases = occurrences.SelectMany(o => o.Aliases).Distinct(StringComparer.Ordinal).ToList(),
            ContextWindow = occurrences.Select(o => o.ContextWindow).FirstOrDefault(v => v is not null),
            InputCostPerMillionTokens = occurrences.Select(o => o.InputCostPerMillionTokens).FirstOrDefault(v => v is not null),
            OutputCostPerMillionTokens = occurrences.Select(o => o.OutputCostPerMillionTokens).FirstOrDefault(v => v is not null),
            Section = primary.Section,
            Evidence = primary.Evidence,
        };
        if (s.ObservationId != 0 && SaysTheSame(s, next))
            return false;
        s.Authority = next.Authority;
        s.Status = next.Status;
        s.ReleasedOn = next.ReleasedOn;
        s.DeprecatedOn = next.DeprecatedOn;
        s.RetiresOn = next.RetiresOn;
        s.RetiresOnIsEstimate = next.RetiresOnIsEstimate;
        s.RetiresOnPrecision = next.RetiresOnPrecision;
        s.Replacements = next.Replacements.ToList();
        s.Aliases = next.Aliases;
        s.ContextWindow = next.ContextWindow;
        s.InputCostPerMillionTokens = next.InputCostPerMillionTokens;
        s.OutputCostPerMillionTokens = next.OutputCostPerMillionTokens;
        s.Section = next.Section;
        s.Evidence = next.Evidence;
        s.Url = next.Url;
        s.ObservationId = primary.Id;
        s.SnapshotId = snapshot.Id;
        s.UpdatedAt = now;
        return true;
    }

    private static bool SaysTheSame(SourceStatement a, SourceStatement b) =>
        a.Authority == b.Authority && a.Status == b.Status && a.ReleasedOn == b.ReleasedOn && a.DeprecatedOn == b.DeprecatedOn
        && a.RetiresOn == b.RetiresOn && a.RetiresOnIsEstimate == b.RetiresOnIsEstimate && a.RetiresOnPrecision == b.RetiresOnPrecision
        && a.Replacements.SequenceEqual(b.Replacements) && a.Aliases.SequenceEqual(b.Aliases)
        && a.ContextWindow == b.ContextWindow && a.InputCostPerMillionTokens == b.InputCostPerMillionTokens
        && a.OutputCostPerMillionTokens == b.OutputCostPerMillionTokens && a.Section == b.Section && a.Evidence == b.Evidence;

    private async Task<(int Added, int Updated)> UpdateViewsAsync(
        ReconcileSource source, Snapshot snapshot, Dictionary<CatalogKey, Transition> transitions,
        Dictionary<CatalogKey, SourceStatement> own, List<ChangeEvent> events, DateTimeOffset now, DateOnly today,
        CancellationToken cancellationToken)
    {
        var providers = transitions.Keys.Select(k => k.Provider).Distinct().ToList();
        var models = transitions.Keys.Select(k => k.Model).Distinct().ToList();
        var others = (await db.SourceStatements
                .Where(s => s.SourceName != source.Name && providers.Contains(s.Provider) && models.Contains(s.Model))
                .ToListAsync(cancellationToken))
            .Where(s => transitions.ContainsKey(KeyOf(s)))
            .ToLookup(KeyOf);
        var versions = (await db.ModelVersions
                .Where(m => providers.Contains(m.Provider) && models.Contains(m.Model))
                .ToListAsync(cancellationToken))
            .ToDictionary(m => new CatalogKey(m.Provider, m.Model, m.Version));

        int added = 0, updated = 0;
        foreach (var (key, transition) in transitions)
        {
            var view = Derive(others[key].Append(own[key]).ToList(), today);
            versions.TryGetValue(key, out var model);
            Compare(model, view, key, transition, source, snapshot, events, now);
            if (model is null)
            {
                model = new ModelVersion { Provider = key.Provider, Model = key.Model, Version = key.Version, FirstSeenAt = now };
                Apply(model, view, now);
                db.ModelVersions.Add(model);
                added++;
            }
            else if (Apply(model, view, now))
                updated++;
        }
        return (added, updated);
    }

    private sealed record View(
        LifecycleStatus? Status, DateOnly? ReleasedOn, DateOnly? DeprecatedOn,
        DateOnly? RetiresOn, bool RetiresOnIsEstimate, DatePrecision RetiresOnPrecision, string? RetiresOnSource,
        IReadOnlyList<string> Replacements, int? ContextWindow, decimal? InputCost, decimal? OutputCost,
        string CurrentSource, string? Evidence, bool AllVanished, bool RetiredByClock);

    private static View Derive(List<SourceStatement> statements, DateOnly today)
    {
        var ordered = statements
            .OrderBy(s => s.Authority)
            .ThenBy(s => s.VanishedAt is null ? 0 : 1)
            .ThenByDescending(s => s.DeprecatedOn ?? DateOnly.MinValue)
            .ThenBy(s => s.SourceName, StringComparer.Ordinal)
            .ToList();
        var primary = ordered[0];
        var retires = ordered.FirstOrDefault(s => s.RetiresOn is not null);
        var status = ordered.Select(s => s.Status).FirstOrDefault(v => v is not null);
        var retiredByClock = retires is { RetiresOnIsEstimate: false } && retires.RetiresOn <= today && status != LifecycleStatus.Retired;
        return new View(
            retiredByClock ? LifecycleStatus.Retired : status,
            ordered.Select(s => s.ReleasedOn).FirstOrDefault(v => v is not null),
            ordered.Select(s => s.DeprecatedOn).FirstOrDefault(v => v is not null),
            retires?.RetiresOn, retires?.RetiresOnIsEstimate ?? false, retires?.RetiresOnPrecision ?? DatePrecision.Day, retires?.SourceName,
            ordered.Select(s => s.Replacements).FirstOrDefault(r => r.Count > 0) ?? [],
            ordered.Select(s => s.ContextWindow).FirstOrDefault(v => v is not null),
            ordered.Select(s => s.InputCostPerMillionTokens).FirstOrDefault(v => v is not null),
            ordered.Select(s => s.OutputCostPerMillionTokens).FirstOrDefault(v => v is not null),
            primary.SourceName,
            primary.Evidence,
            statements.All(s => s.VanishedAt is not null),
            retiredByClock);
    }

    private static void Compare(ModelVersion? old, View view, CatalogKey key, Transition transition, ReconcileSource source, Snapshot snapshot, List<ChangeEvent> events, DateTimeOffset now)
    {
        void Add(ChangeKind kind, string? oldValue, string? newValue, string? evidence = null) =>
            events.Add(Event(kind, key, now, oldValue, newValue, source.Name, snapshot.Id, evidence ?? view.Evidence));

        if (old is null)
            Add(ChangeKind.ModelAdded, null, Format(view.Status));

        // Vanishing is news when the page the view came from dropped the model, or when no source lists it any more.
        if (transition == Transition.Vanished && old is not null && (old.CurrentSource == source.Name || view.AllVanished))
            Add(ChangeKind.Vanished, source.Name, null);
        if (transition == Transition.Reappeared && old is not null && (old.VanishedAt is not null || view.CurrentSource == source.Name))
            Add(ChangeKind.Reappeared, null, source.Name);

        var oldStatus = old?.Status;
        if (view.Status == LifecycleStatus.Retired && oldStatus != LifecycleStatus.Retired)
            Add(ChangeKind.Retired, Format(oldStatus), Format(view.Status),
                view.RetiredByClock ? $"retirement date {view.RetiresOn:yyyy-MM-dd} passed" : null);
        else if (view.Status is LifecycleStatus.Deprecated or LifecycleStatus.Legacy
                 && oldStatus is not (LifecycleStatus.Deprecated or LifecycleStatus.Legacy or LifecycleStatus.Retired))
            Add(ChangeKind.Deprecated, Format(oldStatus), Format(view.Status));
        else if (old is not null && oldStatus != view.Status)
            Add(ChangeKind.StatusChanged, Format(oldStatus), Format(view.Status));

        var (was, now_) = (old?.RetiresOn, view.RetiresOn);
        if (was is null && now_ is not null)
            Add(ChangeKind.RetirementDateSet, null, Format(now_));
        else if (was is not null && now_ is null)
            Add(ChangeKind.RetirementDateRemoved, Format(was), null);
        else if (was is not null && now_ is not null)
        {
            if (now_ < was)
                Add(ChangeKind.RetirementMovedEarlier, Format(was), Format(now_));
            else if (now_ > was)
                Add(ChangeKind.RetirementMovedLater, Format(was), Format(now_));
            if (old!.RetiresOnIsEstimate && !view.RetiresOnIsEstimate)
                Add(ChangeKind.EstimateBecameFirm, $"{Format(was)} (estimate)", Format(now_));
        }

        if (old is not null && !old.Replacements.Order(StringComparer.Ordinal).SequenceEqual(view.Replacements.Order(StringComparer.Ordinal)))
            Add(ChangeKind.ReplacementChanged, Join(old.Replacements), Join(view.Replacements));
    }

    private static bool Apply(ModelVersion m, View view, DateTimeOffset now)
    {
        var vanishedAt = view.AllVanished ? m.VanishedAt ?? now : (DateTimeOffset?)null;
        var changed = m.Status != view.Status || m.ReleasedOn != view.ReleasedOn || m.DeprecatedOn != view.DeprecatedOn
            || m.RetiresOn != view.RetiresOn || m.RetiresOnIsEstimate != view.RetiresOnIsEstimate || m.RetiresOnPrecision != view.RetiresOnPrecision
            || m.RetiresOnSource != view.RetiresOnSource || !m.Replacements.SequenceEqual(view.Replacements)
            || m.ContextWindow != view.ContextWindow || m.InputCostPerMillionTokens != view.InputCost || m.OutputCostPerMillionTokens != view.OutputCost
            || m.CurrentSource != view.CurrentSource || m.VanishedAt != vanishedAt;
        if (!changed)
            return false;
        m.Status = view.Status;
        m.ReleasedOn = view.ReleasedOn;
        m.DeprecatedOn = view.DeprecatedOn;
        m.RetiresOn = view.RetiresOn;
        m.RetiresOnIsEstimate = view.RetiresOnIsEstimate;
        m.RetiresOnPrecision = view.RetiresOnPrecision;
        m.RetiresOnSource = view.RetiresOnSource;
        m.Replacements = view.Replacements.ToList();
        m.ContextWindow = view.ContextWindow;
        m.InputCostPerMillionTokens = view.InputCost;
        m.OutputCostPerMillionTokens = view.OutputCost;
        m.CurrentSource = view.CurrentSource;
        m.VanishedAt = vanishedAt;
        m.UpdatedAt = now;
        return true;
    }

    // An alias names one target at a time; a new target closes the open period and opens another.
    private async Task UpdateAliasesAsync(ReconcileSource source, Snapshot snapshot, IEnumerable<LifecycleObservation[]> merged, List<ChangeEvent> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claims = new Dictionary<(string Provider, string Alias), string>();
        // The newest model first, so an alias two rows claim points at the newer one.
        foreach (var occurrences in merged.OrderByDescending(o => o[0].ReleasedOn ?? DateOnly.MinValue).ThenBy(o => o[0].Id))
        {
            var primary = occurrences[0];
            foreach (var alias in occurrences.SelectMany(o => o.Aliases))
            {
                if (alias != primary.Model && alias.Length <= 200)
                    claims.TryAdd((primary.Provider, alias), primary.Model);
            }
        }
        if (claims.Count == 0)
            return;

        var providers = claims.Keys.Select(k => k.Provider).Distinct().ToList();
        var aliases = claims.Keys.Select(k => k.Alias).Distinct().ToList();
        var open = (await db.ModelAliases
                .Where(a => a.ValidTo == null && providers.Contains(a.Provider) && aliases.Contains(a.Alias))
                .ToListAsync(cancellationToken))
            .ToDictionary(a => (a.Provider, a.Alias));

        var opened = new List<ModelAlias>();
        foreach (var ((provider, alias), target) in claims)
        {
            if (open.TryGetValue((provider, alias), out var current))
            {
                if (current.Target == target)
                    continue;
                current.ValidTo = now;
                events.Add(Event(ChangeKind.AliasRepointed, new CatalogKey(provider, alias, ""), now, current.Target, target, source.Name, snapshot.Id, null));
            }
            opened.Add(new ModelAlias { Provider = provider, Alias = alias, Target = target, ValidFrom = now, SourceName = source.Name });
        }
        // Close before opening: at most one open period per alias (a unique partial index).
        await db.SaveChangesAsync(cancellationToken);
        db.ModelAliases.AddRange(opened);
    }

    private static ChangeEvent Event(ChangeKind kind, CatalogKey key, DateTimeOffset now, string? oldValue, string? newValue, string? sourceName, long? snapshotId, string? evidence) => new()
    {
        OccurredAt = now,
        Kind = kind,
        Provider = key.Provider,
        Model = key.Model,
        Version = key.Version,
        OldValue = Truncate(oldValue, 1000),
        NewValue = Truncate(newValue, 1000),
        SourceName = sourceName,
        SnapshotId = snapshotId,
        Evidence = Truncate(evidence, MaxEvidence),
    };

    private static CatalogKey KeyOf(LifecycleObservation o) => new(o.Provider, o.Model, o.Version);

    private static CatalogKey KeyOf(SourceStatement s) => new(s.Provider, s.Model, s.Version);

    private static string? Format(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Format(LifecycleStatus? status) => status?.ToString().ToLowerInvariant();

    private static string Join(IEnumerable<string> values) => string.Join(", ", values);

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];

    private enum Transition
    {
        Added,
        Changed,
        Vanished,
        Reappeared,
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Source}: skipped an observation whose identity does not fit the catalog (model '{Model}', version '{Version}')")]
        public static partial void Skipped(ILogger logger, string source, string model, string version);
    }
}
