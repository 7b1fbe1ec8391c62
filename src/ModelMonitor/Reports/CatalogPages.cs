using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Pins;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Reports;

public sealed record ModelPageModel(
    string Provider,
    string Model,
    DateOnly Today,
    IReadOnlyList<ModelVersion> Versions,
    IReadOnlyList<LifecycleObservation> Observations,
    bool ObservationsTruncated,
    IReadOnlyList<Conflict> Conflicts,
    IReadOnlyList<ModelAlias> AliasHistory,
    IReadOnlyList<string> Successors,
    IReadOnlyList<string> Predecessors,
    IReadOnlyList<ChangeEvent> Events);

/// Two or more sources that state different values for one field of one version (shown, never resolved silently).
public sealed record Conflict(string? Version, string Field, IReadOnlyList<ConflictStatement> Statements);

public sealed record ConflictStatement(string Source, string Authority, string Value, string? Evidence, string Url, DateTimeOffset UpdatedAt);

public sealed record SourcesPageModel(IReadOnlyList<SourcePageRow> Sources);

public sealed record SourcePageRow(SourceRow Source, int EventCount, IReadOnlyList<RecentChange> RecentEvents);

/// Reads for the model and sources pages: the catalog's own tables, by index.
public sealed class CatalogPages(MonitorDb db, ScopedConnection connection)
{
    public const int MaxObservations = 500;
    public const int MaxEvents = 200;
    public const int EventsPerSource = 5;

    public async Task<ModelPageModel?> ModelAsync(string provider, string model, DateOnly today, CancellationToken cancellationToken)
    {
        var versions = await db.ModelVersions.AsNoTracking().Where(m => m.Provider == provider && m.Model == model)
            .OrderBy(m => m.Version).ToListAsync(cancellationToken);
        var aliases = await db.ModelAliases.AsNoTracking().Where(a => a.Provider == provider && (a.Alias == model || a.Target == model))
            .OrderBy(a => a.Alias).ThenBy(a => a.ValidFrom).ToListAsync(cancellationToken);
        if (versions.Count == 0 && aliases.Count == 0)
            return null;

        var observations = await db.Observations.AsNoTracking().Where(o => o.Provider == provider && o.Model == model)
            .OrderByDescending(o => o.FetchedAt).ThenByDescending(o => o.Id).Take(MaxObservations + 1).ToListAsync(cancellationToken);
        var statements = await db.SourceStatements.AsNoTracking()
            .Where(s => s.Provider == provider && s.Model == model && s.VanishedAt == null)
            .OrderBy(s => s.Authority).ThenBy(s => s.SourceName).ToListAsync(cancellationToken);
        var events = await db.ChangeEvents.AsNoTracking().Where(e => e.Provider == provider && e.Model == model)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(MaxEvents).ToListAsync(cancellationToken);
        // Which versions name this model as their replacement (array containment, by the planner's own column).
        var predecessors = await db.ModelVersions.AsNoTracking().Where(m => m.Provider == provider && m.Replacements.Contains(model))
            .OrderBy(m => m.Model).Select(m => m.Model).Distinct().ToListAsync(cancellationToken);

        return new ModelPageModel(provider, model, today, versions,
            observations.Take(MaxObservations).ToList(), observations.Count > MaxObservations,
            Conflicts(statements), aliases,
            versions.SelectMany(v => v.Replacements).Distinct(StringComparer.Ordinal).ToList(),
            predecessors, events);
    }

    /// Per version and field, the sources that disagree. A source that says nothing about a field does not conflict.
    public static IReadOnlyList<Conflict> Conflicts(IReadOnlyList<SourceStatement> statements)
    {
        var fields = new (string Name, Func<SourceStatement, string?> Value)[]
        {
            ("status", s => s.Status?.ToString().ToLowerInvariant()),
            ("retirement date", s => s.RetiresOn is { } d ? $"{d:yyyy-MM-dd}{(s.RetiresOnIsEstimate ? " (estimate)" : "")}" : null),
            ("deprecation date", s => s.DeprecatedOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("replacement", s => s.Replacements.Count == 0 ? null : string.Join(", ", s.Replacements)),
        };
        var conflicts = new List<Conflict>();
        foreach (var version in statements.GroupBy(s => s.Version))
        {
            foreach (var (name, value) in fields)
            {
                var stated = version.Where(s => value(s) is not null).ToList();
                if (stated.Select(value).Distinct(StringComparer.Ordinal).Count() < 2)
                    continue;
                conflicts.Add(new Conflict(version.Key.Length == 0 ? null : version.Key, name,
                    stated.Select(s => new ConflictStatement(s.SourceName, s.Authority.ToString(), value(s)!, s.Evidence, s.Url, s.UpdatedAt)).ToList()));
            }
        }
        return conflicts;
    }

    private const string SourcesSql = """
        SELECT name, provider, health, last_fetch_at, last_success_at, last_rows, last_error, consecutive_failures
        FROM sources ORDER BY name
        """;

    // Events per source with the latest few of each, by window: one pass over change_events.
    private static readonly string SourceEventsSql = $"""
        SELECT source_name, n, id, occurred_at, kind, provider, model, version, old_value, new_value
        FROM (SELECT e.*, row_number() OVER (PARTITION BY source_name ORDER BY occurred_at DESC, id DESC) AS rn,
                     count(*) OVER (PARTITION BY source_name) AS n
              FROM change_events e WHERE source_name IS NOT NULL) x
        WHERE rn <= {EventsPerSource}
        ORDER BY source_name, occurred_at DESC, id DESC
        """;

    public async Task<SourcesPageModel> SourcesAsync(CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(await connection.GetAsync(cancellationToken))
        {
            BatchCommands = { new NpgsqlBatchCommand(SourcesSql), new NpgsqlBatchCommand(SourceEventsSql) },
        };
        await using var _ = batch;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var sources = new List<SourceRow>();
        while (await reader.ReadAsync(cancellationToken))
            sources.Add(DashboardQuery.ReadSource(reader));
        await reader.NextResultAsync(cancellationToken);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var recent = new Dictionary<string, List<RecentChange>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var source = reader.GetString(0);
            counts[source] = (int)reader.GetInt64(1);
            if (!recent.TryGetValue(source, out var list))
                recent[source] = list = [];
            list.Add(new RecentChange(reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), DashboardQuery.NullIfEmpty(reader.GetString(7)), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), source));
        }
        return new SourcesPageModel(sources.Select(s => new SourcePageRow(s, counts.GetValueOrDefault(s.Name),
            recent.TryGetValue(s.Name, out var list) ? list : [])).ToList());
    }
}
