using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using ModelMonitor.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ModelMonitor.Notifications;

/// Decides, for every pin at once, what each team must be told now, and puts it in the outbox.
/// Set-based: a handful of INSERT … SELECT … ON CONFLICT (idempotency_key) DO NOTHING statements over all pins,
/// in one transaction, serialised across nodes by an advisory lock. Running it twice plans nothing new.
internal sealed partial class NotificationPlanner(
    MonitorDb db,
    TimeProvider time,
    IOptions<NotificationOptions> options,
    IOptions<DatabaseOptions> database,
    ILogger<NotificationPlanner> logger)
{
    // pg_advisory_xact_lock key: any constant nobody else uses.
    private const long PlanningLock = 0x4d6f6e_4e6f7466;

    /// Plans as of <paramref name="asOf"/> (today, UTC, when null). With <paramref name="dryRun"/> everything is
    /// rolled back after <paramref name="inspect"/> has seen the digests inside the transaction.
    public async Task<PlanResult> PlanAsync(DateOnly? asOf, bool dryRun, Func<PlanResult, Task>? inspect, CancellationToken cancellationToken)
    {
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("plan");
        var settings = options.Value;
        var now = time.GetUtcNow();
        var today = asOf ?? DateOnly.FromDateTime(now.UtcDateTime);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var tx = (NpgsqlTransaction)transaction.GetDbTransaction();

            await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@lock)", [new("lock", PlanningLock)], cancellationToken);

            // timestamptz comes back as a UTC DateTime.
            var previousStart = await ScalarAsync(connection, tx, "SELECT started_at FROM notification_runs ORDER BY id DESC LIMIT 1", [], cancellationToken) is DateTime last
                ? new DateTimeOffset(last) : (DateTimeOffset?)null;

            var lookbackFrom = now.AddDays(-settings.EventLookbackDays);
            // event_watermark: the newest change event when the run started, for operators inspecting a run.
            var runId = (long)(await ScalarAsync(connection, tx, """
                INSERT INTO notification_runs (started_at, as_of, event_watermark, planned, digests)
                VALUES (@now, @as_of, (SELECT coalesce(max(id), 0) FROM change_events), 0, 0)
                RETURNING id
                """, [new("now", now), new("as_of", today)], cancellationToken))!;

            var milestones = settings.EffectiveMilestones.ToArray();
            var parameters = new List<NpgsqlParameter>
            {
                new("run", runId),
                new("now", now),
                new("as_of", today),
                // Verdicts changed since the last run; on the first run, within the lookback.
                new("prev_at", previousStart is { } p && p > lookbackFrom ? p : lookbackFrom),
                new("lookback_from", lookbackFrom),
                new("ms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = milestones },
                new("ready_ms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = settings.EffectiveReadyMilestones.ToArray() },
                new("max_ms", milestones.Max()),
            };

            parameters.Add(new("retired_daily", settings.RetiredDaily));
            var planned = await ExecuteAsync(connection, tx, Sql.MilestonesAndRetired, parameters, cancellationToken);
            planned += await ExecuteAsync(connection, tx, Sql.ChangeEvents, parameters, cancellationToken);
            planned += await ExecuteAsync(connection, tx, Sql.VerdictChanges, parameters, cancellationToken);
            if (settings.OperatorEmails.Count > 0)
                planned += await ExecuteAsync(connection, tx, Sql.UnhealthySources, parameters, cancellationToken);

            var digests = await ExecuteAsync(connection, tx, Sql.Digests, parameters, cancellationToken);
            parameters.Add(new("operators", settings.OperatorEmails.Count > 0));
            parameters.Add(new("webhooks", !string.IsNullOrEmpty(settings.WebhookKey)));
            var outbox = await ExecuteAsync(connection, tx, Sql.Outbox, parameters, cancellationToken);
            if (settings.GitHubIssues)
            {
                outbox += await ExecuteAsync(connection, tx, Sql.GitHubIssuesToOpen, parameters, cancellationToken);
                outbox += await ExecuteAsync(connection, tx, Sql.GitHubIssuesToClose, parameters, cancellationToken);
            }
            await ExecuteAsync(connection, tx, "UPDATE notification_runs SET planned = @planned, digests = @digests WHERE id = @run",
                [new("planned", planned), new("digests", digests), new("run", runId)], cancellationToken);

            var digestIds = new List<long>();
            await using (var command = Command(connection, tx, "SELECT id FROM digests WHERE run_id = @run ORDER BY id", [new("run", runId)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    digestIds.Add(reader.GetInt64(0));

            var result = new PlanResult(runId, today, planned, digestIds, outbox, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            if (inspect is not null)
                await inspect(result);
            if (dryRun)
                await transaction.RollbackAsync(cancellationToken);
            else
                await transaction.CommitAsync(cancellationToken);
            Log.Planned(logger, today, planned, digestIds.Count, outbox, dryRun, (long)result.Elapsed.TotalMilliseconds);
            return result;
        });
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = database.Value.CommandTimeoutSeconds };
        foreach (var parameter in parameters)
            command.Parameters.Add(parameter.Clone());
        return command;
    }

    private async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, IEnumerable<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, IEnumerable<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Planned notifications as of {AsOf}: {Planned} new item(s), {Digests} digest(s), {Outbox} outbox message(s){DryRunSuffix} in {Milliseconds} ms")]
        private static partial void PlannedCore(ILogger logger, DateOnly asOf, int planned, int digests, int outbox, string dryRunSuffix, long milliseconds);

        public static void Planned(ILogger logger, DateOnly asOf, int planned, int digests, int outbox, bool dryRun, long milliseconds) =>
            PlannedCore(logger, asOf, planned, digests, outbox, dryRun ? " (dry run, rolled back)" : "", milliseconds);
    }

    /// The statements. Column names are EF's snake_case; `pf` is "pin facts": each pin with the catalog's
    /// current view of the version it watches (an alias pin watches the target it resolved to; a pin on another
    /// platform, e.g. Bedrock, watches that platform's lifecycle) and its readiness, minus pins under a waiver.
    private static class Sql
    {
        private const string FactColumns = """
            p.id AS pin_id, a.id AS app_id, a.team_id, p.provider, p.model, p.version, p.environment,
                   coalesce(p.platform, p.provider) AS platform, coalesce(p.resolved_model, p.model) AS watched,
                   mv.provider AS lifecycle, mv.status, mv.retires_on, coalesce(mv.retires_on_is_estimate, false) AS is_estimate,
                   mv.retires_on_precision AS precision, mv.replacements[1] AS successor,
                   coalesce(r.verdict, 'unknown') AS verdict, mv.retires_on - @as_of AS days_left
            """;

        // As pins resolve: the platform's lifecycle when the catalog has one, else the provider's.
        private const string Lifecycle = """
            mv.model = coalesce(p.resolved_model, p.model) AND mv.version = p.version
                AND (mv.provider = coalesce(p.platform, p.provider)
                     OR (p.platform IS NOT NULL AND mv.provider = p.provider AND NOT EXISTS (
                         SELECT 1 FROM model_versions x WHERE x.provider = p.platform AND x.model = mv.model AND x.version = mv.version)))
            """;

        private const string NotWaived = """
            NOT EXISTS (
                SELECT 1 FROM waivers w
                WHERE w.app_id = p.app_id AND w.provider = p.provider AND w.model = p.model
                  AND w.version = p.version AND w.environment = p.environment AND w.until >= @as_of
                  -- a retirement moved earlier after the waiver was given reopens it
                  AND NOT EXISTS (
                    SELECT 1 FROM change_events ce
                    WHERE ce.kind = 'RetirementMovedEarlier' AND ce.provider IN (p.provider, coalesce(p.platform, p.provider))
                      AND ce.model = coalesce(p.resolved_model, p.model) AND ce.version = p.version
                      AND ce.occurred_at > w.created_at))
            """;

        // Pin facts for a small set of pins (those an event or a verdict names); the lifecycle may be missing.
        private static string PinFacts(string filter) => $"""
            SELECT {FactColumns}
            FROM pins p
            JOIN apps a ON a.id = p.app_id
            LEFT JOIN model_versions mv ON {Lifecycle}
            LEFT JOIN pin_readiness r ON r.pin_id = p.id
            WHERE ({filter}) AND {NotWaived}
            """;

        // Pin facts for every pin whose lifecycle passes the filter, driven from the (few) matching model versions:
        // plain pins through the index on pins (provider, model, version), alias and platform pins (`indirect`)
        // through their partial index.
        private static string PinFactsByLifecycle(string filter) => $"""
            SELECT {FactColumns}, false AS indirect
            FROM model_versions mv
            JOIN pins p ON p.provider = mv.provider AND p.model = mv.model AND p.version = mv.version
                       AND p.platform IS NULL AND p.resolved_model IS NULL
            JOIN apps a ON a.id = p.app_id
            LEFT JOIN pin_readiness r ON r.pin_id = p.id
            WHERE ({filter}) AND {NotWaived}
            UNION ALL
            SELECT {FactColumns}, true
            FROM pins p
            JOIN apps a ON a.id = p.app_id
            JOIN model_versions mv ON {Lifecycle}
            LEFT JOIN pin_readiness r ON r.pin_id = p.id
            WHERE (p.platform IS NOT NULL OR p.resolved_model IS NOT NULL) AND ({filter}) AND {NotWaived}
            """;

        private const string Columns = """
            idempotency_key, run_id, team_id, app_id, pin_id, reason, provider, model, version, environment, platform,
            milestone, retires_on, is_estimate, precision, days_left, successor, verdict, detail, escalate, informational, created_at
            """;

        private static string Key(string reason, string suffix) =>
            $"concat_ws('/', 't' || c.team_id, 'a' || c.app_id, c.provider, c.model, c.version, c.environment, {reason}, {suffix})";

        private const string AliasDetail = "CASE WHEN c.watched <> c.model THEN 'alias of ' || c.watched END";

        // Milestones and already-retired pins, in one pass. The milestone a pin is at is the smallest one not
        // below its days left (ready pins: the quieter ladder); its key carries the milestone and the date, so each
        // is planned once per date. A date moved later puts the pin at a milestone of the new date at once: that
        // item is informational. A retired pin's key carries the day: it alerts daily until the pin changes.
        // No lookup of earlier items: the unique key is the only memory, so the statement never reads the table
        // it writes. Rows go in by team and app, as their keys begin, so the unique index and the team checks touch
        // their pages in order (a quarter less work than in join order). Within an app they keep the join's order,
        // which a digest shows (ids break its ties) and which decides the first of equal keys: plain pins first,
        // then by model version, then by pin.
        public static readonly string MilestonesAndRetired = $"""
            WITH ladder AS (
                SELECT d,
                       (SELECT min(m) FROM unnest(@ms) m WHERE m >= d) AS m_all,
                       (SELECT min(m) FROM unnest(@ready_ms) m WHERE m >= d) AS m_ready
                FROM generate_series(0, @max_ms) d
            ), later AS (
                SELECT DISTINCT provider, model, version FROM change_events
                WHERE kind = 'RetirementMovedLater' AND occurred_at >= @lookback_from
            ), pf AS ({PinFactsByLifecycle("mv.retires_on <= @as_of + @max_ms OR mv.status = 'Retired'")}
            ), c AS (
                SELECT pf.*, (pf.days_left < 0 OR pf.status = 'Retired') AS retired,
                       CASE WHEN pf.verdict = 'ready' THEN l.m_ready ELSE l.m_all END AS m
                FROM pf LEFT JOIN ladder l ON l.d = pf.days_left
            )
            INSERT INTO notifications ({Columns})
            SELECT CASE WHEN c.retired THEN {Key("'retired'", "@as_of")} ELSE {Key("'milestone'", "c.m, c.retires_on")} END,
                   @run, c.team_id, c.app_id, c.pin_id, CASE WHEN c.retired THEN 'retired' ELSE 'milestone' END,
                   c.provider, c.model, c.version, c.environment, c.platform, CASE WHEN c.retired THEN NULL ELSE c.m END,
                   c.retires_on, c.is_estimate, c.precision, c.days_left, c.successor, c.verdict, {AliasDetail}, c.verdict = 'not-ready',
                   NOT c.retired AND EXISTS (SELECT 1 FROM later WHERE later.provider = c.lifecycle AND later.model = c.watched AND later.version = c.version),
                   @now
            FROM c
            WHERE (c.retired AND @retired_daily) OR (NOT c.retired AND c.m IS NOT NULL)
            ORDER BY concat_ws('/', 't' || c.team_id, 'a' || c.app_id), c.indirect, c.provider, c.model, c.version, c.pin_id
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

        // Change events of the lookback window that hit a pin (every run reads the whole window: an id watermark
        // would skip an event whose reconcile committed after a later id was seen; the key makes rereading free): by the version it
        // watches, or for an alias re-point, by the alias it pins. Keyed by the new value (a date, a successor).
        public static readonly string ChangeEvents = $"""
            WITH ev AS (
                SELECT id, kind, provider, model, version, old_value, new_value, occurred_at,
                       CASE kind WHEN 'Deprecated' THEN 'deprecated' WHEN 'RetirementDateSet' THEN 'date-set'
                                 WHEN 'RetirementMovedEarlier' THEN 'moved-earlier' WHEN 'RetirementMovedLater' THEN 'moved-later'
                                 WHEN 'EstimateBecameFirm' THEN 'date-firm' WHEN 'ReplacementChanged' THEN 'replacement-changed'
                                 WHEN 'AliasRepointed' THEN 'alias-repointed' END AS reason
                FROM change_events
                WHERE occurred_at >= @lookback_from
                  AND kind IN ('Deprecated', 'RetirementDateSet', 'RetirementMovedEarlier', 'RetirementMovedLater',
                               'EstimateBecameFirm', 'ReplacementChanged', 'AliasRepointed')
            ), hit AS (
                SELECT ev.*, p.id AS hit_pin FROM ev JOIN pins p
                    ON ev.kind <> 'AliasRepointed' AND coalesce(p.resolved_model, p.model) = ev.model
                   AND p.version = ev.version AND ev.provider IN (p.provider, coalesce(p.platform, p.provider))
                UNION ALL
                SELECT ev.*, p.id FROM ev JOIN pins p
                    ON ev.kind = 'AliasRepointed' AND p.model = ev.model AND p.provider = ev.provider
            ), pf AS ({PinFacts("p.id IN (SELECT hit_pin FROM hit)")}
            ), c AS (
                SELECT pf.*, hit.reason, hit.old_value, hit.new_value, hit.occurred_at
                FROM hit JOIN pf ON pf.pin_id = hit.hit_pin
                -- an event about the provider's lifecycle does not concern a pin that follows its platform's
                WHERE hit.kind = 'AliasRepointed' OR pf.lifecycle IS NULL OR pf.lifecycle = hit.provider
            )
            INSERT INTO notifications ({Columns})
            SELECT {Key("c.reason", "coalesce(left(c.new_value, 100), (c.occurred_at AT TIME ZONE 'UTC')::date::text)")},
                   @run, c.team_id, c.app_id, c.pin_id, c.reason,
                   c.provider, c.model, c.version, c.environment, c.platform, NULL, c.retires_on, c.is_estimate, c.precision,
                   c.days_left, c.successor, c.verdict,
                   left(coalesce(c.old_value, '—') || ' → ' || coalesce(c.new_value, '—'), 2000),
                   c.verdict = 'not-ready', c.reason IN ('moved-later', 'date-firm'), @now
            FROM c
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

        // A verdict recorded as changed since the last run (see Readiness).
        public static readonly string VerdictChanges = $"""
            WITH c AS ({PinFacts("p.id IN (SELECT pin_id FROM pin_readiness WHERE changed_at > @prev_at AND changed_at <= @now AND verdict <> 'unknown')")})
            INSERT INTO notifications ({Columns})
            SELECT {Key("'verdict-changed'", "c.verdict")} || '/' || (r.changed_at AT TIME ZONE 'UTC')::date::text,
                   @run, c.team_id, c.app_id, c.pin_id, 'verdict-changed',
                   c.provider, c.model, c.version, c.environment, c.platform, NULL, c.retires_on, c.is_estimate, c.precision,
                   c.days_left, c.successor, c.verdict, 'readiness is now ' || c.verdict, c.verdict = 'not-ready', false, @now
            FROM c JOIN pin_readiness r ON r.pin_id = c.pin_id
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

        // Operators hear about each unhealthy source once a day while it stays unhealthy.
        public static readonly string UnhealthySources = $"""
            INSERT INTO notifications ({Columns})
            SELECT concat_ws('/', 'operators', 'source', s.name, @as_of), @run, NULL, NULL, NULL, 'source-unhealthy',
                   s.provider, s.name, '', '', s.provider, NULL, NULL, false, NULL, NULL, NULL, 'unknown',
                   left(coalesce(s.last_error, 'no error recorded') || ' (' || s.consecutive_failures || ' consecutive failure(s))', 2000),
                   false, false, @now
            FROM sources s WHERE s.health = 'Unhealthy'
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

        // One digest per team (and one for the operators: team NULL) with anything not informational in this run.
        // A digest holds its team's items since the team's previous digest (see DigestLoader), so informational
        // items of runs without a digest ride along, and no item row is ever updated.
        public const string Digests = """
            INSERT INTO digests (run_id, team_id, created_at)
            SELECT @run, team_id, @now FROM notifications
            WHERE run_id = @run
            GROUP BY team_id
            HAVING bool_or(NOT informational)
            """;

        public const string Outbox = """
            INSERT INTO outbox (channel, digest_id, team_id, target, attempts, next_attempt_at, created_at)
            SELECT 'email', d.id, d.team_id, NULL, 0, @now, @now
            FROM digests d JOIN teams t ON t.id = d.team_id
            WHERE d.run_id = @run AND cardinality(t.emails) > 0
            UNION ALL
            SELECT 'email', d.id, NULL, NULL, 0, @now, @now
            FROM digests d WHERE d.run_id = @run AND d.team_id IS NULL AND @operators
            UNION ALL
            SELECT 'webhook', d.id, d.team_id, w.url, 0, @now, @now
            FROM digests d JOIN team_webhooks w ON w.team_id = d.team_id
            WHERE d.run_id = @run AND @webhooks
            """;

        // Each pin alerted in this run, in an app that names a repository: its issue is opened or updated.
        public const string GitHubIssuesToOpen = """
            WITH touched AS (
                SELECT DISTINCT n.app_id, n.provider, n.model, n.version, n.environment, a.repository, a.name AS app, t.name AS team
                FROM notifications n
                JOIN apps a ON a.id = n.app_id
                JOIN teams t ON t.id = a.team_id
                WHERE n.run_id = @run AND NOT n.informational AND coalesce(a.repository, '') <> ''
            ), up AS (
                INSERT INTO github_issues (app_id, provider, model, version, environment, repository, marker, state, updated_at)
                SELECT app_id, provider, model, version, environment, repository,
                       concat_ws('/', 'monitor-issue', team, app, provider, model, version, environment), 'open', @now
                FROM touched
                ON CONFLICT (app_id, provider, model, version, environment)
                DO UPDATE SET state = 'open', repository = excluded.repository, updated_at = excluded.updated_at
                RETURNING id, repository
            )
            INSERT INTO outbox (channel, github_issue_id, target, attempts, next_attempt_at, created_at)
            SELECT 'github', id, repository, 0, @now, @now FROM up
            """;

        // An open issue whose app no longer pins the model: close it.
        public const string GitHubIssuesToClose = """
            WITH gone AS (
                UPDATE github_issues g SET state = 'closed', updated_at = @now
                WHERE g.state = 'open' AND NOT EXISTS (
                    SELECT 1 FROM pins p
                    WHERE p.app_id = g.app_id AND p.provider = g.provider AND p.model = g.model
                      AND p.version = g.version AND p.environment = g.environment)
                RETURNING id, repository
            )
            INSERT INTO outbox (channel, github_issue_id, target, attempts, next_attempt_at, created_at)
            SELECT 'github', id, repository, 0, @now, @now FROM gone
            """;
    }
}

internal sealed record PlanResult(long RunId, DateOnly AsOf, int Planned, IReadOnlyList<long> DigestIds, int OutboxMessages, TimeSpan Elapsed);
