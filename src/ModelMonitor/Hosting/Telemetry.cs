using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ModelMonitor.Hosting;

/// Section "Telemetry": the OTLP exporter, and how often the gauges that read the database may read it.
public sealed class TelemetryOptions
{
    // OTLP endpoint (http://collector:4317 for gRPC, or :4318 with Protocol=HttpProtobuf); empty: no export.
    // The standard OTEL_EXPORTER_OTLP_ENDPOINT variable also turns export on.
    public string? Endpoint { get; set; }

    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;

    // The outbox and source-health gauges query the database at most this often, however often they are read.
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int GaugeRefreshSeconds { get; set; } = 30;
}

/// The "Monitor" Meter and ActivitySource. Instruments are created once per host from IMeterFactory
/// (so tests can tell hosts apart); spans come from one static ActivitySource, as .NET libraries do.
public sealed partial class MonitorMetrics
{
    public const string Name = "Monitor";

    public static readonly ActivitySource Tracing = new(Name, Product.Version);

    private readonly Histogram<double> _crawlDuration;
    private readonly Histogram<int> _crawlRows;
    private readonly Counter<long> _regressionRuns;
    private readonly Counter<double> _regressionCost;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _delivered;
    private readonly DatabaseGauges _gauges;

    public MonitorMetrics(IMeterFactory meters, IServiceProvider services, TimeProvider time, IOptions<TelemetryOptions> options, ILogger<MonitorMetrics> logger)
    {
        Meter = meters.Create(Name, Product.Version);
        _gauges = new DatabaseGauges(services, time, TimeSpan.FromSeconds(options.Value.GaugeRefreshSeconds), logger);
        _crawlDuration = Meter.CreateHistogram<double>("monitor.crawl.duration", "s", "Time to crawl one source: fetch, extract and reconcile.");
        _crawlRows = Meter.CreateHistogram<int>("monitor.crawl.rows", "{row}", "Lifecycle rows a crawl extracted from one source's page.");
        Meter.CreateObservableGauge("monitor.sources.unhealthy", () => _gauges.Read().UnhealthySources, "{source}",
            "Sources whose last crawl failed or was rejected.");
        Meter.CreateObservableGauge("monitor.outbox.backlog", () => _gauges.Read().Backlog, "{message}",
            "Outbox messages not yet sent (due now or waiting for a retry).");
        Meter.CreateObservableGauge("monitor.outbox.oldest_age", () => _gauges.Read().OldestAgeSeconds, "s",
            "Age of the oldest unsent outbox message; 0 when the outbox is empty.");
        _delivered = Meter.CreateCounter<long>("monitor.outbox.delivered", "{message}", "Outbox messages delivered or failed, by result.");
        _regressionRuns = Meter.CreateCounter<long>("monitor.regression.runs", "{run}", "Regression runs finished, by how they stopped.");
        _regressionCost = Meter.CreateCounter<double>("monitor.regression.cost", "USD", "What regression runs spent on model calls.");
        _jobDuration = Meter.CreateHistogram<double>("monitor.job.duration", "s", "Time a scheduled job took, by job and result.");
    }

    public Meter Meter { get; }

    public void Crawled(string source, string outcome, TimeSpan elapsed, int? rows)
    {
        var tags = new TagList { { "source", source }, { "outcome", outcome } };
        _crawlDuration.Record(elapsed.TotalSeconds, tags);
        if (rows is { } count)
            _crawlRows.Record(count, new KeyValuePair<string, object?>("source", source));
    }

    public void Delivered(int sent, int failed)
    {
        if (sent > 0)
            _delivered.Add(sent, new KeyValuePair<string, object?>("result", "sent"));
        if (failed > 0)
            _delivered.Add(failed, new KeyValuePair<string, object?>("result", "failed"));
    }

    public void RegressionRun(string stop, decimal spentUsd)
    {
        _regressionRuns.Add(1, new KeyValuePair<string, object?>("stop", stop));
        _regressionCost.Add((double)spentUsd);
    }

    public void Job(string job, TimeSpan elapsed, bool succeeded) =>
        _jobDuration.Record(elapsed.TotalSeconds, new TagList { { "job", job }, { "outcome", succeeded ? "succeeded" : "failed" } });

    /// Database-backed gauge values, read at most once per refresh interval; a failed read keeps the last values.
    // The data source is resolved on first read, so verbs that need no database (eval) can still count their runs.
    private sealed class DatabaseGauges(IServiceProvider services, TimeProvider time, TimeSpan refresh, ILogger logger)
    {
        private readonly Lock _lock = new();
        private Values? _last;
        private DateTimeOffset _readAt = DateTimeOffset.MinValue;

        public sealed record Values(int UnhealthySources, long Backlog, double OldestAgeSeconds);

        public Values Read()
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (_last is not null && now - _readAt < refresh)
                    return _last;
                try
                {
                    // Exporters read gauges synchronously on their own thread; a short timeout bounds a slow database.
                    using var command = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
                        SELECT (SELECT count(*) FROM sources WHERE health = 'Unhealthy'),
                               count(*), min(created_at)
                        FROM outbox WHERE sent_at IS NULL
                        """);
                    command.CommandTimeout = 5;
                    using var reader = command.ExecuteReader();
                    reader.Read();
                    var oldest = reader.IsDBNull(2) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(2);
                    _last = new Values((int)reader.GetInt64(0), reader.GetInt64(1), oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    Log.GaugeReadFailed(logger, ex.GetType().Name);
                    _last ??= new Values(0, 0, 0);
                }
                // A failure is retried after the same interval, so a database outage does not turn into a query storm.
                _readAt = now;
                return _last;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read the outbox and source-health gauges from the database ({Error}); keeping the last values")]
        public static partial void GaugeReadFailed(ILogger logger, string error);
    }
}

internal static class TelemetryExtensions
{
    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration("Telemetry").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        builder.Services.AddMonitorMetrics();

        // Export only when a collector is configured; without one, nothing is collected beyond the Meter's own listeners.
        // A malformed endpoint is reported by TelemetryOptionsValidator at start-up, before anything runs.
        if (TelemetryOptionsValidator.Endpoint(builder.Configuration) is not { } uri)
            return;
        var protocol = Enum.TryParse<OtlpExportProtocol>(builder.Configuration["Telemetry:Protocol"], ignoreCase: true, out var p) ? p : OtlpExportProtocol.Grpc;

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? "monitor", serviceVersion: Product.Version))
            .WithMetrics(m => m
                .AddMeter(MonitorMetrics.Name)
                // Quartz's own scheduler metrics (firings, misfires, cluster recoveries).
                .AddMeter("Quartz")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                // GC, thread pool and memory, from the runtime's own meter.
                .AddMeter("System.Runtime")
                .AddOtlpExporter(o => { o.Endpoint = Signal(uri, protocol, "metrics"); o.Protocol = protocol; }))
            .WithTracing(t => t
                .AddSource(MonitorMetrics.Name)
                .AddSource("Quartz")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => { o.Endpoint = Signal(uri, protocol, "traces"); o.Protocol = protocol; }));
    }

    // Also called by features that tests build on a plain ServiceCollection (Regression).
    public static IServiceCollection AddMonitorMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddOptions<TelemetryOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MonitorMetrics>();
        return services;
    }

    // Over HTTP each signal has its own path under the collector's base URL; set in code, the exporter takes the
    // endpoint as it is, so add it (gRPC uses the base URL).
    private static Uri Signal(Uri endpoint, OtlpExportProtocol protocol, string signal) =>
        protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath.TrimEnd('/').Length == 0
            ? new Uri(endpoint, $"/v1/{signal}")
            : endpoint;
}

internal sealed class TelemetryOptionsValidator(IConfiguration configuration) : IValidateOptions<TelemetryOptions>
{
    public static string? Configured(IConfiguration configuration) =>
        configuration["Telemetry:Endpoint"] is { Length: > 0 } endpoint ? endpoint
        : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
        : null;

    public static Uri? Endpoint(IConfiguration configuration) =>
        Configured(configuration) is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        Configured(configuration) is { } endpoint && Endpoint(configuration) is null
            ? ValidateOptionsResult.Fail($"Telemetry:Endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an absolute http(s) URL such as http://otel-collector:4317; it is '{endpoint}'.")
            : ValidateOptionsResult.Success;
}
