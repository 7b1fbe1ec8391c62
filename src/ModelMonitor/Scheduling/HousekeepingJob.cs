using Microsoft.EntityFrameworkCore;
using ModelMonitor.Storage;
using Quartz;

namespace ModelMonitor.Scheduling;

/// Drops the raw bytes of old snapshots that were unchanged copies; rows and hashes stay.
[DisallowConcurrentExecution]
internal sealed class HousekeepingJob(MonitorDb db, TimeProvider time) : IJob
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await db.Snapshots
            .Where(s => s.FetchedAt < cutoff && s.Outcome == Sources.SnapshotOutcome.Unchanged && s.Content != null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Content, (byte[]?)null), cancellationToken);
    }
}
