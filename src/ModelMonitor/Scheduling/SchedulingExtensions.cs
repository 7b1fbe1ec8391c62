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

        // The instance name and timings must be known when Quartz is registered (the validator reports bad
        // values at start-up); crons are read when the scheduler is built.
        var defaults = new SchedulingOptions();
        var instanceName = builder.Configuration["Scheduling:InstanceName"] is { Length: > 0 } name ? name : defaults.InstanceName;
        var checkin = Seconds(builder.Configuration, "CheckinIntervalSeconds", defaults.CheckinIntervalSeconds);
        var misfire = Seconds(builder.Configuration, "MisfireThresholdSeconds", defaults.MisfireThresholdSeconds);
        var shutdown = Seconds(builder.Configuration, "ShutdownTimeoutSeconds", defaults.ShutdownTimeoutSeconds);

        // The host waits a little longer than the scheduler does, so SchedulerService can say what it left behind.
        builder.Services.Configure<HostOptions>(o =>
        {
            if (o.ShutdownTimeout < shutdown + TimeSpan.FromSeconds(5))
                o.ShutdownTimeout = shutdown + TimeSpan.FromSeconds(5);
        });

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
                // Every node with the scheduler on joins one cluster: each trigger fires on one node, and the
                // running jobs of a node that stops checking in are recovered by another.
                store.UseClustering(c => c.CheckinInterval = checkin);
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = DatabaseMigrator.QuartzTablePrefix;
                    s.MisfireThreshold = misfire;
                });
            });
            q.AddJobListener<JobLog>();

            AddJob<HousekeepingJob>(q, Jobs.Housekeeping);
            AddJob<RetirementsJob>(q, Jobs.Retirements);
            AddJob<ManifestSyncJob>(q, Jobs.ManifestSync);
            // Crawl triggers depend on the configured sources; CrawlSchedule keeps them in step at start-up.
            q.AddJob<CrawlJob>(j => j.WithIdentity(Jobs.Crawl, Jobs.Group).StoreDurably().RequestRecovery());
            AddJob<Notifications.NotifyPlanJob>(q, Jobs.NotifyPlan);
            AddJob<Notifications.NotifyDeliverJob>(q, Jobs.NotifyDeliver);
            AddJob<Regression.RegressionRunJob>(q, Jobs.RegressionRun);
            AddJob<Regression.RegressionTriggerJob>(q, Jobs.RegressionTrigger);
        });

        builder.Services.AddHostedService<SchedulerService>();
    }

    private static TimeSpan Seconds(IConfiguration configuration, string key, int fallback) =>
        TimeSpan.FromSeconds(int.TryParse(configuration[$"Scheduling:{key}"], System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback);

    private static void AddJob<TJob>(IQuartzBuilder q, string name)
        where TJob : IJob
    {
        var key = new JobKey(name, Jobs.Group);
        // Every job is safe to run again (transactions, idempotency keys, leases), so a job cut short by a dead
        // node is re-run by another rather than waiting for its next slot.
        // Its trigger is stored by SchedulerService (CronTriggers), which keeps an unchanged one as it is.
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably().RequestRecovery());
    }
}

/// Starts the clustered scheduler on nodes where Scheduling:Enabled is true, and lets running jobs
/// finish on shutdown, up to Scheduling:ShutdownTimeoutSeconds. A job still running then is abandoned with
/// its firing on record, so another node (or this one's next start) recovers it: every job's writes are
/// transactional or idempotent, so a cut-short run leaves nothing half-written.
/// A node with the scheduler off never builds it (and never touches its tables).
internal sealed partial class SchedulerService(
    ISchedulerFactory schedulers,
    IOptions<SchedulingOptions> options,
    IOptions<Sources.SourcesOptions> sources,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<SchedulerService> logger) : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            return;
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await CronTriggers.SyncFixedAsync(_scheduler, options.Value, cancellationToken);
        await CrawlSchedule.SyncAsync(_scheduler, sources.Value, options.Value, configuration, cancellationToken);
        await _scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null)
            return;
        Log.Waiting(logger, options.Value.ShutdownTimeoutSeconds);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.ShutdownTimeoutSeconds), time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, cancellationToken);
        // The token bounds only the wait: the scheduler stops either way, and a job still running is abandoned.
        await _scheduler.Shutdown(waitForJobsToComplete: true, either.Token);
        if (either.IsCancellationRequested)
            Log.LeftForRecovery(logger, options.Value.ShutdownTimeoutSeconds);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Scheduler stopping: running jobs get up to {Seconds} s to finish")]
        public static partial void Waiting(ILogger logger, int seconds);

        [LoggerMessage(2, LogLevel.Warning, "Jobs still running after {Seconds} s were abandoned; another node (or this one's next start) recovers them")]
        public static partial void LeftForRecovery(ILogger logger, int seconds);
    }
}
