using ModelMonitor.Regression.Storage;
using Quartz;

namespace ModelMonitor.Regression;

/// Executes queued runs (keys and crons in Scheduling/Jobs.cs). Not [DisallowConcurrentExecution]: each node
/// claims different runs, and RunExecutor keeps one run at a time per node.
internal sealed class RegressionRunJob(RunExecutor executor) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await executor.ExecutePendingAsync(cancellationToken);
}

/// Queues runs for pins whose successor or alias target changed, or whose retirement is near.
[DisallowConcurrentExecution]
internal sealed class RegressionTriggerJob(RunQueue queue) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await queue.QueueTriggeredAsync(cancellationToken);
}
