using Quartz;

namespace ModelMonitor.Scheduling;

/// Stores a job's cron trigger unless the same cron is stored already. Keeping an unchanged trigger keeps
/// its next fire time, so a slot missed while every node was down is seen as a misfire and runs once at
/// start-up; re-creating it at every start would silently skip that run.
internal static class CronTriggers
{
    public static async Task EnsureAsync(IScheduler scheduler, TriggerKey key, JobKey job, string cron, string? source, CancellationToken cancellationToken)
    {
        var current = await scheduler.GetTrigger(key, cancellationToken);
        if (current is ICronTrigger existing && existing.CronExpressionString == cron)
            return;
        var builder = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(job)
            // After downtime, run once now rather than once per missed slot.
            .WithCronSchedule(cron, c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed));
        if (source is not null)
            builder = builder.UsingJobData(Jobs.SourceKey, source);
        var trigger = builder.Build();
        try
        {
            if (current is null)
                await scheduler.ScheduleJob(trigger, default, cancellationToken);
            else
                await scheduler.RescheduleJob(key, trigger, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node of the cluster stored it a moment ago.
        }
    }

    /// The fixed jobs' triggers (every job but the crawl, whose triggers follow the sources).
    public static async Task SyncFixedAsync(IScheduler scheduler, SchedulingOptions options, CancellationToken cancellationToken)
    {
        foreach (var name in Jobs.DefaultCrons.Keys.Where(n => n != Jobs.Crawl))
        {
            var job = new JobKey(name, Jobs.Group);
            await EnsureAsync(scheduler, new TriggerKey(name, Jobs.Group), job, options.CronFor(name), source: null, cancellationToken);
        }
    }
}
