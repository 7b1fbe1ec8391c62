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
            AddJob<Notifications.NotifyPlanJob>(q, Jobs.NotifyPlan);
            AddJob<Notifications.NotifyDeliverJob>(q, Jobs.NotifyDeliver);
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
internal sealed class SchedulerService(ISchedulerFactory schedulers, IOptions<SchedulingOptions> options) : IHostedService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            return;
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await _scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
            await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
    }
}
