using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using ModelMonitor.Storage;

namespace ModelMonitor.Regression.Storage;

/// Queues runs: on request (API, CLI) and automatically (set-based, for every pin at once). A run is a pin ×
/// suite: baseline = the version the pin watches (an alias pin: the version it resolved to), candidate = the
/// catalog's first replacement of it. The partial unique index ux_regression_runs_live is the arbiter against
/// duplicates: whoever inserts second gets nothing. A pin whose platform no endpoint serves gets a run that is
/// failed at once with the reason, so the gap is visible instead of silently skipped.
public sealed partial class RunQueue(NpgsqlDataSource dataSource, IOptions<RegressionOptions> options, TimeProvider time, ILogger<RunQueue> logger)
{
    public sealed record Target(long PinId, string PinModel, string? Environment, long SuiteId, string Suite, string BaselineModel, string? CandidateModel, long? LiveRunId);

    public sealed record Queued(long RunId, long PinId, long SuiteId, string Status);

    /// Every pin × suite of the app (optionally one suite, and pins whose model or resolved version is `model`).
    public async Task<List<Target>> TargetsAsync(long appId, string? suite, string? model, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT t.pin_id, t.pin_model, t.environment, t.suite_id, t.suite_name, t.baseline_model, t.candidate_model,
                   (SELECT r.id FROM regression_runs r WHERE r.pin_id = t.pin_id AND r.suite_id = t.suite_id AND r.status IN ('queued', 'running') LIMIT 1)
            FROM ({Sql.Targets}) t
            WHERE t.app_id = $1 AND ($2::text IS NULL OR t.suite_name = $2) AND ($3::text IS NULL OR t.pin_model = $3 OR t.baseline_model = $3)
            ORDER BY t.suite_name, t.pin_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = appId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)suite ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)model ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        List<Target> targets = [];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            targets.Add(new Target(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt64(7)));
        return targets;
    }

    /// Queues a manual run for each given pin × suite that has a successor and no live run.
    public async Task<List<Queued>> QueueManualAsync(IReadOnlyCollection<Target> targets, decimal? budgetUsd, CancellationToken cancellationToken)
    {
        var eligible = targets.Where(t => t.CandidateModel is not null).ToList();
        if (eligible.Count == 0)
            return [];
        return await InsertAsync(
            "WHERE t.candidate_model IS NOT NULL AND (t.pin_id, t.suite_id) IN (SELECT * FROM unnest(@pins::bigint[], @suites::bigint[]))",
            $"'{RunTrigger.Manual}'",
            command =>
            {
                command.Parameters.AddWithValue("pins", eligible.Select(t => t.PinId).ToArray());
                command.Parameters.AddWithValue("suites", eligible.Select(t => t.SuiteId).ToArray());
                command.Parameters.Add(new NpgsqlParameter("budget", NpgsqlDbType.Numeric) { Value = (object?)budgetUsd ?? DBNull.Value });
            },
            cancellationToken);
    }

    /// The automatic triggers, for every pin at once (one statement; the latest run per pin and suite is read in one
    /// pass, not per pin: a per-pin lookup planned on a near-empty table turned quadratic as the statement inserted): a successor set or changed since the pin's last run of the
    /// suite (or never run), an alias re-pointed (the version the pin resolves to changed), or retirement within
    /// Triggers:FreshnessDays with no run in Triggers:MaxRunAgeDays.
    public async Task<List<Queued>> QueueTriggeredAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Triggers;
        var now = time.GetUtcNow();
        var queued = await InsertAsync(
            """
            LEFT JOIN (
                SELECT DISTINCT ON (r.pin_id, r.suite_id) r.pin_id, r.suite_id, r.baseline_model, r.candidate_model, r.requested_at
                FROM regression_runs r WHERE r.pin_id IS NOT NULL
                ORDER BY r.pin_id, r.suite_id, r.requested_at DESC, r.id DESC) l ON l.pin_id = t.pin_id AND l.suite_id = t.suite_id
            WHERE t.candidate_model IS NOT NULL AND (
                l.requested_at IS NULL OR l.candidate_model <> t.candidate_model OR l.baseline_model <> t.baseline_model
                OR (t.retires_on BETWEEN @today AND @today + @freshness AND l.requested_at < @stale_before))
            """,
            $"""
            CASE WHEN l.requested_at IS NULL OR l.candidate_model <> t.candidate_model THEN '{RunTrigger.SuccessorChanged}'
                 WHEN l.baseline_model <> t.baseline_model THEN '{RunTrigger.AliasRepointed}'
                 ELSE '{RunTrigger.RetirementNear}' END
            """,
            command =>
            {
                command.Parameters.AddWithValue("today", DateOnly.FromDateTime(now.UtcDateTime));
                command.Parameters.AddWithValue("freshness", o.FreshnessDays);
                command.Parameters.AddWithValue("stale_before", now - TimeSpan.FromDays(o.MaxRunAgeDays));
                command.Parameters.Add(new NpgsqlParameter("budget", NpgsqlDbType.Numeric) { Value = DBNull.Value });
            },
            cancellationToken);
        Log.Triggered(logger, queued.Count, queued.Count(q => q.Status == RunStatus.Failed));
        return queued;
    }

    private async Task<List<Queued>> InsertAsync(string filter, string trigger, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        var map = options.Value.ProviderEndpoints;
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO regression_runs (app_id, suite_id, pin_id, baseline, candidate, baseline_model, candidate_model, trigger, recorded,
                                         status, error, budget_usd, requested_at, finished_at, spent_usd)
            SELECT t.app_id, t.suite_id, t.pin_id, e.endpoint || ':' || t.baseline_model, e.endpoint || ':' || t.candidate_model,
                   t.baseline_model, t.candidate_model, {trigger}, false,
                   CASE WHEN e.endpoint IS NULL THEN 'failed' ELSE 'queued' END,
                   CASE WHEN e.endpoint IS NULL THEN format(
                       'no endpoint serves provider ''%s'': set Regression:ProviderEndpoints:%s to the name of an endpoint (environment: Regression__ProviderEndpoints__%s).',
                       t.platform, t.platform, t.platform) END,
                   @budget, @now, CASE WHEN e.endpoint IS NULL THEN @now END, 0
            FROM ({Sql.Targets}) t
            LEFT JOIN unnest(@providers::text[], @endpoints::text[]) AS e(provider, endpoint) ON e.provider = lower(t.platform)
            {filter}
            ON CONFLICT (pin_id, suite_id) WHERE status IN ('queued', 'running') DO NOTHING
            RETURNING id, pin_id, suite_id, status
            """);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("providers", map.Keys.Select(k => k.ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue("endpoints", map.Values.ToArray());
        parameters(command);
        List<Queued> queued = [];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            queued.Add(new Queued(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3)));
        return queued;
    }

    private static class Sql
    {
        // Each pin × suite of its app, with the version the pin watches and that version's successor. The lifecycle
        // row is the pin's platform's when the catalog has one, else its provider's (as notification planning reads it).
        public const string Targets = """
            SELECT p.id AS pin_id, p.app_id, p.model AS pin_model, nullif(p.environment, '') AS environment,
                   s.id AS suite_id, s.name AS suite_name,
                   coalesce(p.platform, p.provider) AS platform, coalesce(p.resolved_model, p.model) AS baseline_model,
                   mv.replacements[1] AS candidate_model, mv.retires_on
            FROM pins p
            JOIN regression_suites s ON s.app_id = p.app_id
            LEFT JOIN model_versions mv ON mv.model = coalesce(p.resolved_model, p.model) AND mv.version = p.version
                AND (mv.provider = coalesce(p.platform, p.provider)
                     OR (p.platform IS NOT NULL AND mv.provider = p.provider AND NOT EXISTS (
                         SELECT 1 FROM model_versions x WHERE x.provider = p.platform AND x.model = mv.model AND x.version = mv.version)))
            """;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Regression triggers queued {Count} run(s) ({Failed} failed at once: no endpoint for the provider)")]
        public static partial void Triggered(ILogger logger, int count, int failed);
    }
}
