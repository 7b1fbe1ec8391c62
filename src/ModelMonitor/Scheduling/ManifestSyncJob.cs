using ModelMonitor.Pins;
using Quartz;

namespace ModelMonitor.Scheduling;

/// Syncs the pins of every app that has a repository from its manifest file.
[DisallowConcurrentExecution]
internal sealed class ManifestSyncJob(ManifestSync sync) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await sync.SyncAllAsync(cancellationToken);
}
