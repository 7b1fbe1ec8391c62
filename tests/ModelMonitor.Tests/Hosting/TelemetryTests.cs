using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using ModelMonitor.Hosting;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Sources;

namespace ModelMonitor.Tests.Hosting;

public sealed class TelemetryTests
{
    // CrawlTests.Settings points the "sample" source here.
    private const string PagePath = "/docs/deprecations";

    [Fact]
    public async Task ACrawlRecordsItsDurationAndRowsTaggedWithTheSource()
    {
        await using var server = await PageServer.StartAsync();
        MonitorApp? app = null;
        server.Handle(PagePath, async context =>
        {
            // The provider takes 2.5 s to answer, on the host's (fake) clock.
            app!.Clock.Advance(TimeSpan.FromSeconds(2.5));
            context.Response.ContentType = "text/markdown; charset=utf-8";
            await context.Response.WriteAsync(CrawlTests.PageV1);
        });
        await using var started = app = await MonitorApp.StartAsync(CrawlTests.Settings(server));
        using var recorded = new Recorder(app.Services.GetRequiredService<MonitorMetrics>().Meter);

        await CrawlTests.CrawlAsync(app);

        var duration = Assert.Single(recorded.Of("monitor.crawl.duration"));
        Assert.Equal("sample", duration.Tags["source"]);
        Assert.Equal("applied", duration.Tags["outcome"]);
        Assert.Equal(2.5, duration.Value);
        var rows = Assert.Single(recorded.Of("monitor.crawl.rows"));
        Assert.Equal(4, rows.Value);
        Assert.Equal("sample", rows.Tags["source"]);
    }

    [Fact]
    public async Task ACrawlIsTracedAsCrawlExtractAndReconcileSpans()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(PagePath, CrawlTests.PageV1);
        await using var app = await MonitorApp.StartAsync(CrawlTests.Settings(server));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MonitorMetrics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await CrawlTests.CrawlAsync(app);

        // Other tests crawl in parallel; this crawl's spans are the ones under its own root.
        var crawl = Assert.Single(spans, s => s.OperationName == "crawl" && (string?)s.GetTagItem("monitor.source") == "sample" && s.Parent is null
            && spans.Any(c => c.ParentSpanId == s.SpanId && c.OperationName == "reconcile"));
        Assert.Equal("applied", crawl.GetTagItem("monitor.outcome"));
        Assert.Equal(["extract", "reconcile"], spans.Where(s => s.ParentSpanId == crawl.SpanId).Select(s => s.OperationName).Order().ToArray());
    }

    [Fact]
    public async Task OutboxAndSourceHealthGaugesReadTheDatabaseAtMostOncePerRefreshInterval()
    {
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?> { ["Telemetry:GaugeRefreshSeconds"] = "30" });
        var now = app.Clock.GetUtcNow();
        await PostgresServer.ExecuteAsync(app.ConnectionString, $"""
            INSERT INTO outbox (channel, target, attempts, next_attempt_at, created_at)
            VALUES ('webhook', 'https://hooks.example/a', 0, '{now:O}', '{now.AddHours(-2):O}'),
                   ('webhook', 'https://hooks.example/b', 3, '{now.AddMinutes(5):O}', '{now.AddMinutes(-10):O}');
            INSERT INTO outbox (channel, target, attempts, next_attempt_at, created_at, sent_at)
            VALUES ('webhook', 'https://hooks.example/c', 1, '{now:O}', '{now.AddDays(-3):O}', '{now.AddDays(-3):O}');
            INSERT INTO sources (name, provider, health, consecutive_failures) VALUES ('broken', 'openai', 'Unhealthy', 2), ('fine', 'cohere', 'Healthy', 0);
            """);
        using var recorded = new Recorder(app.Services.GetRequiredService<MonitorMetrics>().Meter);

        recorded.Observe();

        Assert.Equal(2, Assert.Single(recorded.Of("monitor.outbox.backlog")).Value);
        Assert.Equal(7200, Assert.Single(recorded.Of("monitor.outbox.oldest_age")).Value);
        Assert.Equal(1, Assert.Single(recorded.Of("monitor.sources.unhealthy")).Value);

        // Within the interval the gauges keep their values; after it they read the database again.
        await PostgresServer.ExecuteAsync(app.ConnectionString, $"INSERT INTO outbox (channel, target, attempts, next_attempt_at, created_at) VALUES ('webhook', 'https://hooks.example/d', 0, '{now:O}', '{now:O}')");
        app.Clock.Advance(TimeSpan.FromSeconds(29));
        recorded.Observe();
        Assert.Equal(2, recorded.Of("monitor.outbox.backlog")[^1].Value);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        recorded.Observe();
        Assert.Equal(3, recorded.Of("monitor.outbox.backlog")[^1].Value);
        Assert.Equal(7230, recorded.Of("monitor.outbox.oldest_age")[^1].Value);
    }

    [Fact]
    public async Task WithoutAnOtlpEndpointNothingIsExported()
    {
        await using var app = await MonitorApp.StartAsync();

        Assert.Null(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.Null(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    [Fact]
    public async Task WithAnOtlpEndpointTheServiceExportsMetricsAndTracesToIt()
    {
        // A loopback stand-in for an OpenTelemetry collector (OTLP over HTTP/protobuf).
        await using var collector = await PageServer.StartAsync();
        collector.Handle("/v1/metrics", context => Task.CompletedTask);
        collector.Handle("/v1/traces", context => Task.CompletedTask);
        var url = $"http://127.0.0.1:{PostgresServer.FreePort()}";
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Monitor"] = await PostgresServer.CreateDatabaseAsync("otlp"),
            ["Scheduling__Enabled"] = "false",
            ["ASPNETCORE_URLS"] = url,
            ["Telemetry__Endpoint"] = collector.BaseAddress.ToString(),
            ["Telemetry__Protocol"] = "HttpProtobuf",
            // The SDK's standard knobs: export every second instead of every minute.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        await using var node = Scheduling.MonitorNode.Start("otlp", environment);
        await node.WaitUntilSchedulingAsync(TimeSpan.FromSeconds(120));
        using var http = new HttpClient();

        // An API request makes a span (ASP.NET Core instrumentation; /health is not traced); the exporters send
        // within a second (the intervals above). The collector signals each request it receives.
        using (var response = await http.GetAsync(new Uri($"{url}/openapi/v1.json")))
            response.EnsureSuccessStatusCode();
        await collector.WaitForRequestsAsync("/v1/traces", 1);
        await collector.WaitForRequestsAsync("/v1/metrics", 1);
    }

    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    /// Listens to one host's "Monitor" meter only (hosts in parallel tests each have their own).
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public IReadOnlyList<Measurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

        public void Observe() => _listener.RecordObservableInstruments();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var (key, tagValue) in tags)
                copy[key] = tagValue;
            _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
        }

        public void Dispose() => _listener.Dispose();
    }
}
