using ModelMonitor.Hosting;
using Quartz;

namespace ModelMonitor.Scheduling;

/// One log line when a job starts and one when it ends, naming the node and the slot it fired for, so an
/// operator (and the cluster tests) can see which node ran what, and when a run was a recovery.
internal sealed partial class JobLog(MonitorMetrics metrics, ILogger<JobLog> logger) : IJobListener
{
    public string Name => "monitor-job-log";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Log.Started(logger, context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId,
            context.ScheduledFireTimeUtc?.UtcDateTime.ToString("O") ?? "none", context.Recovering);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var elapsed = context.JobRunTime;
        metrics.Job(context.JobDetail.Key.Name, elapsed, jobException is null);
        if (jobException is null)
            Log.Finished(logger, context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId, elapsed.TotalMilliseconds);
        else
            Log.Failed(logger, jobException, context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId, elapsed.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Job {Job} started (trigger {Trigger}, node {Node}, scheduled {Scheduled}, recovering {Recovering})")]
        public static partial void Started(ILogger logger, string job, string trigger, string node, string scheduled, bool recovering);

        [LoggerMessage(2, LogLevel.Information, "Job {Job} finished (trigger {Trigger}, node {Node}) in {Milliseconds:0} ms")]
        public static partial void Finished(ILogger logger, string job, string trigger, string node, double milliseconds);

        [LoggerMessage(3, LogLevel.Error, "Job {Job} failed (trigger {Trigger}, node {Node}) after {Milliseconds:0} ms")]
        public static partial void Failed(ILogger logger, Exception exception, string job, string trigger, string node, double milliseconds);
    }
}
