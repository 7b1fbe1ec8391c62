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

        var options = builder.Configuration.GetSection("Scheduling").Get<SchedulingOptions>() ?? new SchedulingOptions();

        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.InstanceName;
                s.GenerateInstanceId = true;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(db => db.UseRegisteredDataSource = true);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(s => s.TablePrefix = DatabaseMigrator.QuartzTablePrefix);
            });

            AddJob<HousekeepingJob>(q, options, Jobs.Housekeeping);
        });

        if (options.Enabled)
            builder.Services.AddQuartzHostedService(q => q.WaitForJobsToComplete = true);
    }

    private static void AddJob<TJob>(IQuartzBuilder q, SchedulingOptions options, string name)
        where TJob : IJob
    {
        var cron = options.CronFor(name);
        // An invalid cron is reported by SchedulingOptionsValidator at start-up; don't throw here first.
        if (!CronExpression.TryParse(cron, out _))
            return;
        var key = new JobKey(name, Jobs.Group);
        q.AddJob<TJob>(j => j.WithIdentity(key).StoreDurably());
        q.AddTrigger(t => t
            .ForJob(key)
            .WithIdentity(name, Jobs.Group)
            // After downtime, run once now rather than once per missed slot.
            .WithCronSchedule(cron, c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
    }
}
