using Microsoft.Extensions.Options;
using ModelMonitor.Sources;

namespace ModelMonitor.Demo;

internal static class DemoExtensions
{
    public static void AddDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddSingleton<DemoSeeder>();
        builder.Services.AddScoped<RecordedRuns>();
        // Offline: the demo's sources are its sample pages, imported at start-up; nothing is fetched.
        builder.Services.AddOptions<SourcesOptions>().PostConfigure<IOptions<DemoOptions>>((o, demo) =>
        {
            if (!demo.Value.Enabled)
                return;
            foreach (var source in o.Sources.Values)
                source.Enabled = false;
        });
        builder.Services.AddSingleton<DemoSeeding>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DemoSeeding>());
    }
}

/// Seeds the demo once the service has started, so the dashboard answers at once and fills in seconds.
internal sealed partial class DemoSeeding(DemoSeeder seeder, IOptions<DemoOptions> options, IHostApplicationLifetime lifetime, ILogger<DemoSeeding> logger) : BackgroundService
{
    private readonly TaskCompletionSource<DemoResult?> _seeded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// Completes when seeding has ended: its result, or null when the demo is off or seeding failed (logged).
    public Task<DemoResult?> Seeded => _seeded.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _seeded.TrySetResult(await SeedWhenStartedAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            _seeded.TrySetCanceled(stoppingToken);
        }
    }

    private async Task<DemoResult?> SeedWhenStartedAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
            return null;
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
        try
        {
            var result = await seeder.SeedAsync(stoppingToken);
            Log.Seeded(logger, result.ToString());
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Demo ready: {Result}")]
        public static partial void Seeded(ILogger logger, string result);

        [LoggerMessage(2, LogLevel.Error, "The demo could not be seeded; the service runs on without it")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
