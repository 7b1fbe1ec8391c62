using Microsoft.EntityFrameworkCore;
using Npgsql;
using ModelMonitor.Storage;

namespace ModelMonitor.Regression.Storage;

/// An app's registered suites. A body is parsed with SuiteLoader before anything is stored.
public sealed class SuiteStore(MonitorDb db, SuiteLoader loader, TimeProvider time)
{
    public sealed record Saved(RegressionSuite Suite, bool Created);

    /// Stores (or replaces) the suite; throws SuiteException naming line and field when the body is not a valid suite.
    public async Task<Saved> PutAsync(long appId, string name, string body, string format, CancellationToken cancellationToken)
    {
        var suite = loader.Parse(body, $"{name}.{format}");
        var now = time.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.Set<RegressionSuite>().FirstOrDefaultAsync(s => s.AppId == appId && s.Name == name, cancellationToken);
            var created = existing is null;
            existing ??= db.Set<RegressionSuite>().Add(new RegressionSuite { AppId = appId, Name = name, Source = "", Format = format, Sha256 = "" }).Entity;
            existing.Source = body;
            existing.Format = format;
            existing.Sha256 = suite.Sha256;
            existing.CaseCount = suite.Cases.Count;
            existing.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new Saved(existing, created);
            }
            catch (DbUpdateException ex) when (attempt == 0 && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Two PUTs of a new name raced; the other one inserted it: replace it.
                db.ChangeTracker.Clear();
            }
        }
    }

    public Task<List<RegressionSuite>> ListAsync(long appId, CancellationToken cancellationToken) =>
        db.Set<RegressionSuite>().AsNoTracking().Where(s => s.AppId == appId).OrderBy(s => s.Name).ToListAsync(cancellationToken);

    public Task<RegressionSuite?> FindAsync(long appId, string name, CancellationToken cancellationToken) =>
        db.Set<RegressionSuite>().AsNoTracking().FirstOrDefaultAsync(s => s.AppId == appId && s.Name == name, cancellationToken);

    public async Task<bool> DeleteAsync(long appId, string name, CancellationToken cancellationToken) =>
        await db.Set<RegressionSuite>().Where(s => s.AppId == appId && s.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;

    public Task<long?> AppIdAsync(long teamId, string app, CancellationToken cancellationToken) =>
        db.Apps.Where(a => a.TeamId == teamId && a.Name == app).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
}
