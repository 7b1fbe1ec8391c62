using Microsoft.Extensions.Options;
using ModelMonitor.Storage;
using Quartz;

namespace ModelMonitor.Scheduling;

internal static class SchedulingExtensions
{
    public static void AddScheduling(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration("Scheduling").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulingOptions>, SchedulingOptionsValidator>();

        // The instance name must be known when Quartz is registered; crons are read when the scheduler is built.
        var instanceName = builder.Configuration["Scheduling:InstanceName"] is { Length: > 0 } name ? name : new SchedulingOptions().InstanceName;

        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = instanceName;
                s.GenerateInstanceId = true;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(db => db.UseRegisteredDataSource = true);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(s => s.TablePrefix = DatabaseMigrator.QuartzTablePrefix);
            });

            AddJob<HousekeepingJob>(q, Jobs.Housekeeping);
            AddJob<RetirementsJob>(q, Jobs.Retirements);
            AddJob<ManifestSyncJob>(q, Jobs.ManifestSync);
            // Crawl triggers depend on the configured sources; CrawlSchedule keeps them in step at start-up.
            q.AddJob<CrawlJob>(j => j.WithIdentity(Jobs.Crawl, Jobs.Group).StoreDurably());
            AddJob<Notifications.NotifyPlanJob>(q, Jobs.NotifyPlan);
            AddJob<Notifications.NotifyDeliverJob>(q, Jobs.NotifyDeliver);
            AddJob<Regression.RegressionRunJob>(q, Jobs.RegressionRun);
            AddJob<Regression.RegressionTriggerJob>(q, Jobs.RegressionTrigger);
        });

        builder.Services.AddHostedService<SchedulerService>();
    }

    private static void AddJob<TJob>(IQuartzBuilder q, string name)
        where TJob : IJob
    {
        var key = new JobKey(name, Jobs.Group);
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably());
        q.AddTrigger((services, t) => t
            .ForJob(key)
            .WithIdentity(name, Jobs.Group)
            // After downtime, run once now rather than once per missed slot.
            .WithCronSchedule(services.GetRequiredService<IOptions<SchedulingOptions>>().Value.CronFor(name),
                c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
    }
}

/// Starts the clustered scheduler on nodes where Scheduling:Enabled is true, and lets running jobs
/// finish on shutdown. A node with the scheduler off never builds it (and never touches its tables).
internal sealed class SchedulerService(
    ISchedulerFactory schedulers,
    IOptions<SchedulingOptions> options,
    IOptions<Sources.SourcesOptions> sources,
    IConfiguration configuration) : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            return;
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await CrawlSchedule.SyncAsync(_scheduler, sources.Value, options.Value, configuration, cancellationToken);
        await _scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
            await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
    }
}
