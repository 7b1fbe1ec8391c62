using Quartz;

namespace ModelMonitor.Notifications;

/// Plans what teams must be told (keys and crons in Scheduling/Jobs.cs).
[DisallowConcurrentExecution]
internal sealed class NotifyPlanJob(NotificationPlanner planner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await planner.PlanAsync(asOf: null, dryRun: false, inspect: null, cancellationToken);
}

/// Sends what the outbox holds that is due.
[DisallowConcurrentExecution]
internal sealed class NotifyDeliverJob(OutboxDelivery delivery) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await delivery.DeliverAsync(cancellationToken);
}
