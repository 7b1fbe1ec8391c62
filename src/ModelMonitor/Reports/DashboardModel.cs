using ModelMonitor.Pins;
using Npgsql;

namespace ModelMonitor.Reports;

public sealed record DashboardModel(
    DateOnly Today,
    // Null for the admin (everything); a team sees its own apps only.
    string? Team,
    int ModelCount,
    int SourceCount,
    int AppCount,
    int PinCount,
    IReadOnlyList<UpcomingRetirement> Upcoming,
    IReadOnlyList<AtRiskPin> AtRisk,
    int AtRiskTotal,
    IReadOnlyList<RiskCell> RiskMatrix,
    IReadOnlyList<RecentChange> RecentChanges,
    IReadOnlyList<SourceRow> UnhealthySources,
    // A team's own apps (empty for the admin, who has the at-risk list and every report by URL).
    IReadOnlyList<TeamApp> TeamApps);

public sealed record TeamApp(string Team, string App, int Pins);

/// A pinned version's retirement, with how many apps and pins it hits.
public sealed record UpcomingRetirement(string Provider, string Model, string? Version, DateOnly RetiresOn, bool IsEstimate, int Apps, int Pins);

public sealed record AtRiskPin(string Team, string App, string Provider, string Model, string? Version, string? Environment,
    DateOnly? RetiresOn, bool IsEstimate, int? DaysLeft, string Verdict, string? Successor);

/// How many at-risk pins fall in one verdict × days-left band.
public sealed record RiskCell(string Verdict, string Band, int Pins);

public sealed record RecentChange(long Id, DateTimeOffset OccurredAt, string Kind, string Provider, string Model, string? Version,
    string? OldValue, string? NewValue, string? Source);

public sealed record SourceRow(string Name, string Provider, string Health, DateTimeOffset? LastFetchAt, DateTimeOffset? LastSuccessAt,
    int? LastRows, string? LastError, int ConsecutiveFailures);

/// The dashboard's facts in one round trip of set-based statements (a batch), whatever the number of apps.
public sealed class DashboardQuery(ScopedConnection connection)
{
    // Pins retiring within this many days, or retired, or not ready, are "at risk".
    public const int RiskHorizonDays = 90;
    public const int TimelineDays = 365;
    public const int MaxAtRiskRows = 100;
    public const int RecentChangeCount = 20;

    public static readonly string[] Bands = ["retired", "≤ 7 days", "≤ 30 days", "≤ 90 days", "later"];

    // Each pin with the catalog row of the version it watches: the platform's lifecycle when the catalog has one,
    // else the provider's; an alias pin watches the target it resolved to (as notification planning does).
    internal const string PinFacts = """
        pf AS (
            SELECT DISTINCT ON (p.id) p.id AS pin_id, t.name AS team, a.name AS app, p.provider, p.model, p.version, p.environment,
                   mv.provider AS lifecycle, mv.model AS watched, mv.status, mv.retires_on, mv.retires_on_is_estimate AS is_estimate,
                   mv.replacements[1] AS successor, coalesce(r.verdict, 'unknown') AS verdict, mv.retires_on - @today AS days_left
            FROM pins p
            JOIN apps a ON a.id = p.app_id
            JOIN teams t ON t.id = a.team_id
            LEFT JOIN model_versions mv ON mv.model = coalesce(p.resolved_model, p.model) AND mv.version = p.version
                 AND mv.provider IN (coalesce(p.platform, p.provider), p.provider)
            LEFT JOIN pin_readiness r ON r.pin_id = p.id
            WHERE (@team::bigint IS NULL OR a.team_id = @team)
            ORDER BY p.id, (mv.provider = coalesce(p.platform, p.provider)) DESC NULLS LAST
        )
        """;

    private const string CountsSql = """
        SELECT (SELECT count(*) FROM model_versions), (SELECT count(*) FROM sources),
               (SELECT count(*) FROM apps WHERE @team::bigint IS NULL OR team_id = @team),
               (SELECT count(*) FROM pins p JOIN apps a ON a.id = p.app_id WHERE @team::bigint IS NULL OR a.team_id = @team)
        """;

    private static readonly string UpcomingSql = $"""
        WITH {PinFacts}
        SELECT lifecycle, watched, version, retires_on, bool_or(is_estimate), count(DISTINCT (team, app)), count(*)
        FROM pf
        WHERE retires_on >= @today AND retires_on <= @today + {TimelineDays}
        GROUP BY lifecycle, watched, version, retires_on
        ORDER BY retires_on, lifecycle, watched, version
        """;

    // Retired, retiring within the horizon, or not ready: the rows, and the counts per verdict and band.
    private static readonly string AtRiskFilter = $"(status = 'Retired' OR days_left <= {RiskHorizonDays} OR verdict = 'not-ready')";
    private const string Band = """
        CASE WHEN status = 'Retired' OR days_left < 0 THEN 'retired' WHEN days_left <= 7 THEN '≤ 7 days'
             WHEN days_left <= 30 THEN '≤ 30 days' WHEN days_left <= 90 THEN '≤ 90 days' ELSE 'later' END
        """;

    private static readonly string AtRiskSql = $"""
        WITH {PinFacts}
        SELECT team, app, provider, model, version, environment, retires_on, coalesce(is_estimate, false), days_left, verdict, successor
        FROM pf
        WHERE {AtRiskFilter}
        ORDER BY days_left NULLS LAST, team, app, model
        LIMIT {MaxAtRiskRows}
        """;

    private static readonly string MatrixSql = $"""
        WITH {PinFacts}
        SELECT verdict, {Band}, count(*) FROM pf WHERE {AtRiskFilter} GROUP BY 1, 2
        """;

    private static readonly string RecentSql = $"""
        SELECT id, occurred_at, kind, provider, model, version, old_value, new_value, source_name
        FROM change_events ORDER BY occurred_at DESC, id DESC LIMIT {RecentChangeCount}
        """;

    private const string UnhealthySql = """
        SELECT name, provider, health, last_fetch_at, last_success_at, last_rows, last_error, consecutive_failures
        FROM sources WHERE health = 'Unhealthy' ORDER BY name
        """;

    private const string TeamAppsSql = """
        SELECT t.name, a.name, count(p.id) FROM apps a JOIN teams t ON t.id = a.team_id LEFT JOIN pins p ON p.app_id = a.id
        WHERE a.team_id = @team GROUP BY t.name, a.name ORDER BY a.name
        """;

    public async Task<DashboardModel> LoadAsync(DateOnly today, long? teamId, string? teamName, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(await connection.GetAsync(cancellationToken));
        await using var _ = batch;
        foreach (var sql in new[] { CountsSql, UpcomingSql, AtRiskSql, MatrixSql, RecentSql, UnhealthySql, teamId is null ? "SELECT NULL, NULL, 0::bigint WHERE false" : TeamAppsSql })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
            command.Parameters.Add(new NpgsqlParameter("team", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)teamId ?? DBNull.Value });
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        await reader.ReadAsync(cancellationToken);
        var (models, sources, apps, pins) = ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3));

        await reader.NextResultAsync(cancellationToken);
        var upcoming = new List<UpcomingRetirement>();
        while (await reader.ReadAsync(cancellationToken))
            upcoming.Add(new UpcomingRetirement(reader.GetString(0), reader.GetString(1), NullIfEmpty(reader.GetString(2)),
                reader.GetFieldValue<DateOnly>(3), reader.GetBoolean(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6)));

        await reader.NextResultAsync(cancellationToken);
        var atRisk = new List<AtRiskPin>();
        while (await reader.ReadAsync(cancellationToken))
            atRisk.Add(new AtRiskPin(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                NullIfEmpty(reader.GetString(4)), NullIfEmpty(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateOnly>(6), reader.GetBoolean(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));

        await reader.NextResultAsync(cancellationToken);
        var matrix = new List<RiskCell>();
        while (await reader.ReadAsync(cancellationToken))
            matrix.Add(new RiskCell(reader.GetString(0), reader.GetString(1), (int)reader.GetInt64(2)));

        await reader.NextResultAsync(cancellationToken);
        var recent = new List<RecentChange>();
        while (await reader.ReadAsync(cancellationToken))
            recent.Add(new RecentChange(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), NullIfEmpty(reader.GetString(5)), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)));

        await reader.NextResultAsync(cancellationToken);
        var unhealthy = new List<SourceRow>();
        while (await reader.ReadAsync(cancellationToken))
            unhealthy.Add(ReadSource(reader));

        await reader.NextResultAsync(cancellationToken);
        var teamApps = new List<TeamApp>();
        while (await reader.ReadAsync(cancellationToken))
            teamApps.Add(new TeamApp(reader.GetString(0), reader.GetString(1), (int)reader.GetInt64(2)));

        return new DashboardModel(today, teamName, models, sources, apps, pins, upcoming, atRisk, matrix.Sum(c => c.Pins), matrix, recent, unhealthy, teamApps);
    }

    internal static SourceRow ReadSource(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt32(7));

    internal static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
