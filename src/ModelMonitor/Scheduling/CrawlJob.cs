using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using Quartz;

namespace ModelMonitor.Scheduling;

/// The one crawl job; each source's trigger ("crawl-openai") carries the source name. Different sources may
/// run at once; the crawler's per-source advisory lock keeps one source from running twice, across the cluster.
internal sealed class CrawlJob(Crawler crawler, ILogger<CrawlJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var source = context.MergedJobDataMap.GetString(Jobs.SourceKey);
        // A recovery trigger names the trigger it stands in for ("crawl-openai"), which names the source.
        if (string.IsNullOrEmpty(source) && context.Recovering && context.RecoveringTriggerKey?.Name is { } original
            && original.StartsWith(Jobs.CrawlTriggerPrefix, StringComparison.Ordinal))
            source = original[Jobs.CrawlTriggerPrefix.Length..];
        if (string.IsNullOrEmpty(source))
        {
            logger.LogWarning("Trigger {Trigger} has no source in its JobData; ignored", context.Trigger.Key);
            return;
        }
        try
        {
            await crawler.CrawlAsync(source, cancellationToken: cancellationToken);
        }
        catch (ArgumentException ex)
        {
            // The source was removed from configuration since the trigger was stored; the next start unschedules it.
            logger.LogWarning("Trigger {Trigger}: {Message}", context.Trigger.Key, ex.Message);
        }
    }
}

/// The daily pass that marks models retired once their firm retirement date has passed.
[DisallowConcurrentExecution]
internal sealed class RetirementsJob(Reconciler reconciler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await reconciler.RetireDueAsync(cancellationToken);
}

/// Makes the stored crawl triggers match the configured sources: one per active source with its cron;
/// triggers of removed or disabled sources are unscheduled. Unchanged triggers keep their next fire time.
internal static class CrawlSchedule
{
    public static async Task SyncAsync(IScheduler scheduler, SourcesOptions sources, SchedulingOptions scheduling, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var job = new JobKey(Jobs.Crawl, Jobs.Group);
        var wanted = sources.Sources.Values
            .Where(s => s.IsActive(configuration))
            .ToDictionary(s => new TriggerKey(Jobs.CrawlTrigger(s.Name), Jobs.Group), s => s);

        foreach (var trigger in await scheduler.GetTriggersOfJob(job, cancellationToken))
        {
            if (!wanted.ContainsKey(trigger.Key))
                await scheduler.UnscheduleJob(trigger.Key, cancellationToken);
        }
        foreach (var (key, source) in wanted)
        {
            await CronTriggers.EnsureAsync(scheduler, key, job, source.CronOr(scheduling), source.Name, cancellationToken);
        }
    }
}
