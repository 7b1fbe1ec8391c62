using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Storage;

namespace ModelMonitor.Regression.Storage;

/// A stored run with its report read back (null when the run ended without one, e.g. failed).
public sealed record StoredRun(RegressionRun Run, string SuiteName, RegressionReport? Report);

/// Reads of stored runs for pages and the API. Finished means finished_at is set (any final status).
public static class RegressionRuns
{
    /// The latest finished run of each pin of the app (one per pin, pins that never finished a run are absent).
    public static async Task<IReadOnlyList<StoredRun>> LatestForAppAsync(MonitorDb db, long appId, CancellationToken cancellationToken)
    {
        var runs = await db.Set<RegressionRun>()
            .FromSql($"""
                SELECT DISTINCT ON (pin_id) * FROM regression_runs
                WHERE app_id = {appId} AND finished_at IS NOT NULL AND pin_id IS NOT NULL
                ORDER BY pin_id, finished_at DESC, id DESC
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return await WithSuitesAsync(db, runs, cancellationToken);
    }

    /// The latest finished run of one pin, or null.
    public static async Task<StoredRun?> LatestForPinAsync(MonitorDb db, long pinId, CancellationToken cancellationToken)
    {
        var run = await db.Set<RegressionRun>().AsNoTracking()
            .Where(r => r.PinId == pinId && r.FinishedAt != null)
            .OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.Id)
            .FirstOrDefaultAsync(cancellationToken);
        return run is null ? null : (await WithSuitesAsync(db, [run], cancellationToken))[0];
    }

    public static RegressionReport? ReadReport(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, RegressionJson.Default.RegressionReport);

    public static string WriteReport(RegressionReport report) => JsonSerializer.Serialize(report, RegressionJson.Default.RegressionReport);

    private static async Task<IReadOnlyList<StoredRun>> WithSuitesAsync(MonitorDb db, List<RegressionRun> runs, CancellationToken cancellationToken)
    {
        var ids = runs.Select(r => r.SuiteId).Distinct().ToList();
        var names = await db.Set<RegressionSuite>().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        return runs.Select(r => new StoredRun(r, names.GetValueOrDefault(r.SuiteId, ""), ReadReport(r.Report))).ToList();
    }
}
