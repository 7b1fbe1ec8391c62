using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ModelMonitor.Scheduling;
using Npgsql;
using Quartz;
using SchedulingOptions = ModelMonitor.Scheduling.SchedulingOptions;

namespace ModelMonitor.Hosting;

internal static class Health
{
    public static void AddHealth(this WebApplicationBuilder builder) =>
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<SchedulerHealthCheck>("scheduler");

    public static void MapHealth(this WebApplication app) =>
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        }));
    }
}

internal sealed class DatabaseHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException or ArgumentException)
        {
            // The exception text can carry host names but never the password; keep it short anyway.
            return HealthCheckResult.Unhealthy($"unreachable: {ex.GetType().Name}");
        }
    }
}

internal sealed class SchedulerHealthCheck(ISchedulerFactory schedulers, IOptions<SchedulingOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            return HealthCheckResult.Healthy("disabled on this node");
        var scheduler = await schedulers.LookupScheduler(options.Value.InstanceName, cancellationToken);
        if (scheduler is null)
            return HealthCheckResult.Unhealthy("not created");
        return await scheduler.GetStatus(cancellationToken) switch
        {
            SchedulerStatus.Running => HealthCheckResult.Healthy($"running as {scheduler.SchedulerInstanceId}"),
            SchedulerStatus.Created or SchedulerStatus.Standby => HealthCheckResult.Degraded("starting"),
            var status => HealthCheckResult.Unhealthy(status.ToString().ToLowerInvariant()),
        };
    }
}
