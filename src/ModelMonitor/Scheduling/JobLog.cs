using ModelMonitor.Hosting;
using Quartz;

namespace ModelMonitor.Scheduling;

/// One log line when a job starts and one when it ends, naming the node and the slot it fired for, so an
/// operator can see which node ran what, and when a run was a recovery. The polling jobs' lines are Debug
/// (<see cref="Jobs.Polling"/>); a failure is always an Error.
internal sealed partial class JobLog(MonitorMetrics metrics, ILogger<JobLog> logger) : IJobListener
{
    public string Name => "monitor-job-log";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Log.Started(logger, LevelOf(context.JobDetail.Key.Name), context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId,
            context.ScheduledFireTimeUtc?.UtcDateTime.ToString("O") ?? "none", context.Recovering);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var elapsed = context.JobRunTime;
        metrics.Job(context.JobDetail.Key.Name, elapsed, jobException is null);
        if (jobException is null)
            Log.Finished(logger, LevelOf(context.JobDetail.Key.Name), context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId, elapsed.TotalMilliseconds);
        else
            Log.Failed(logger, jobException, context.JobDetail.Key.Name, context.Trigger.Key.Name, context.Scheduler.SchedulerInstanceId, elapsed.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    internal static LogLevel LevelOf(string job) => Jobs.Polling.Contains(job) ? LogLevel.Debug : LogLevel.Information;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Message = "Job {Job} started (trigger {Trigger}, node {Node}, scheduled {Scheduled}, recovering {Recovering})")]
        public static partial void Started(ILogger logger, LogLevel level, string job, string trigger, string node, string scheduled, bool recovering);

        [LoggerMessage(EventId = 2, Message = "Job {Job} finished (trigger {Trigger}, node {Node}) in {Milliseconds:0} ms")]
        public static partial void Finished(ILogger logger, LogLevel level, string job, string trigger, string node, double milliseconds);

        [LoggerMessage(3, LogLevel.Error, "Job {Job} failed (trigger {Trigger}, node {Node}) after {Milliseconds:0} ms")]
        public static partial void Failed(ILogger logger, Exception exception, string job, string trigger, string node, double milliseconds);
    }
}
