using ModelMonitor.Hosting;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Regression;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Reports;
using ModelMonitor.Reports.Pages;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Bench;

/// Server-side render time of the dashboard (admin: every team) and of one app's readiness report, with 1,000 apps
/// × 3 pins registered: the page's queries and the Razor rendering to HTML, as the endpoint does them, without HTTP.
/// Needs a PostgreSQL where it may create a database: --connection, MONITOR_BENCH_POSTGRES, or a private cluster.
internal static class ReportsBench
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    public static int Run(BenchOptions options)
    {
        options.RejectUnknown("--connection", "--apps", "--runs");
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options)
    {
        var apps = options.GetInt("--apps", 1_000, 10, 1_000_000);
        var runs = options.GetInt("--runs", 200, 10, 100_000);
        string? privateCluster = null;
        var admin = options.Get("--connection") ?? Environment.GetEnvironmentVariable("MONITOR_BENCH_POSTGRES");
        if (admin is null)
        {
            privateCluster = Path.Combine(Path.GetTempPath(), $"monitor-bench-reports-{Environment.ProcessId}");
            var port = NotifyBench.FreePort();
            await NotifyBench.Script("start", Path.Combine(privateCluster, "pg"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fast");
            admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }
        var database = $"bench_reports_{Environment.ProcessId}";
        try
        {
            await NotifyBench.Execute(admin, $"CREATE DATABASE {database}");
            var connection = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
            await NotifyBench.MigrateAsync(connection);
            await SeedAsync(connection, apps);
            await using var host = Host(connection);

            var today = DateOnly.FromDateTime(Now.UtcDateTime);
            var dashboard = await MeasureAsync(host, runs, async services =>
            {
                var model = await services.GetRequiredService<DashboardQuery>().LoadAsync(today, null, null, CancellationToken.None);
                return await RenderAsync<Dashboard>(services, new() { ["Model"] = model });
            });
            var report = await MeasureAsync(host, runs, async services =>
            {
                var built = await services.GetRequiredService<ReadinessReports>().BuildAsync("team-1", "app-1", CancellationToken.None)
                            ?? throw new InvalidOperationException("team-1/app-1 was not seeded.");
                return await RenderAsync<AppReport>(services, new() { ["Report"] = built });
            });
            Console.WriteLine($"{apps:N0} apps × 3 pins; {runs} renders each after warm-up (queries + Razor to HTML, no HTTP):");
            Console.WriteLine($"  dashboard /                   p50 {dashboard.P50:0.0} ms  p95 {dashboard.P95:0.0} ms  ({dashboard.Bytes / 1024.0:0} KiB)");
            Console.WriteLine($"  report /teams/team-1/apps/app-1  p50 {report.P50:0.0} ms  p95 {report.P95:0.0} ms  ({report.Bytes / 1024.0:0} KiB)");
            return dashboard.P95 < 200 && report.P95 < 200 ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await NotifyBench.Execute(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }
            catch (NpgsqlException)
            {
            }
            if (privateCluster is not null)
            {
                await NotifyBench.Script("stop", Path.Combine(privateCluster, "pg"));
                Directory.Delete(privateCluster, recursive: true);
            }
        }
    }

    private sealed record Timing(double P50, double P95, int Bytes);

    private static async Task<Timing> MeasureAsync(WebApplication host, int runs, Func<IServiceProvider, Task<string>> render)
    {
        var bytes = 0;
        for (var i = 0; i < 20; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            bytes = (await render(scope.ServiceProvider)).Length;
        }
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            // A scope per render, as per request: its own DbContext and pooled connection.
            await using (var scope = host.Services.CreateAsyncScope())
                await render(scope.ServiceProvider);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return new Timing(times[runs / 2], times[(int)(runs * 0.95)], bytes);
    }

    private static async Task<string> RenderAsync<T>(IServiceProvider services, Dictionary<string, object?> parameters) where T : IComponent
    {
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    private static WebApplication Host(string connection)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Monitor"] = connection });
        builder.Services.AddSingleton<TimeProvider>(new Fixed(Now));
        builder.AddStorage();
        builder.AddGitHub();
        builder.AddNotifications();
        builder.AddPins();
        builder.AddReports();
        builder.Services.AddMonitorMetrics();
        return builder.Build();
    }

    private sealed class Fixed(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    // 100 teams × (apps / 100) apps × 3 pins over 300 model versions (60 % with a retirement date within 470 days),
    // verdicts on most pins, 2,000 change events, 20 sources (3 unhealthy), and a 40-case regression run for app-1.
    private static async Task SeedAsync(string connection, int apps)
    {
        var teams = Math.Max(1, apps / 10);
        await using var dataSource = NpgsqlDataSource.Create(connection);
        async Task Sql(string sql)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
        await Sql("""
            INSERT INTO model_versions (provider, model, version, status, retires_on, retires_on_is_estimate, retires_on_precision, replacements,
                                        context_window, input_cost_per_million_tokens, output_cost_per_million_tokens, first_seen_at, updated_at)
            SELECT 'openai', 'bench-model-' || g, '', CASE WHEN g % 5 < 2 THEN 'Active' ELSE 'Deprecated' END,
                   CASE WHEN g % 5 < 2 THEN NULL ELSE date '2026-11-28' + ((g * 7919) % 500) - 30 END,
                   g % 7 = 0, 'Day', ARRAY['bench-model-' || (g % 300 + 1)], 128000, 2.5, 10, now(), now()
            FROM generate_series(1, 300) g
            """);
        await Sql($"""
            INSERT INTO teams (name, emails, escalation_emails, token_hash, token_issued_at, created_at)
            SELECT 'team-' || g, ARRAY['ml-' || g || '@corp.example'], ARRAY[]::text[], sha256(('bench-token-' || g)::bytea), now(), now()
            FROM generate_series(1, {teams}) g
            """);
        await Sql($"""
            INSERT INTO apps (team_id, name, description, manifest_path, created_at, updated_at)
            SELECT t.id, 'app-' || a, 'Benchmark app ' || a, '.monitor/pins.yaml', now(), now()
            FROM teams t CROSS JOIN generate_series(1, {apps / teams}) a
            """);
        await Sql("""
            INSERT INTO pins (app_id, provider, model, version, environment, created_at)
            SELECT a.id, 'openai', 'bench-model-' || ((abs(hashint8(a.id)::bigint) + k * 97) % 300 + 1), '', '', now()
            FROM apps a CROSS JOIN generate_series(0, 2) k
            """);
        await Sql("""
            INSERT INTO pin_readiness (pin_id, verdict, decided_at, changed_at)
            SELECT id, (ARRAY['ready', 'needs-review', 'not-ready'])[id % 3 + 1], now(), now() FROM pins WHERE id % 4 <> 0
            """);
        await Sql("""
            INSERT INTO change_events (occurred_at, kind, provider, model, version, old_value, new_value, source_name)
            SELECT now() - (g || ' hours')::interval, 'RetirementDateSet', 'openai', 'bench-model-' || (g % 300 + 1), '', NULL, '2027-06-30', 'source-' || (g % 20)
            FROM generate_series(1, 2000) g
            """);
        await Sql("""
            INSERT INTO sources (name, provider, health, last_fetch_at, last_success_at, last_rows, last_error, consecutive_failures)
            SELECT 'source-' || g, 'openai', CASE WHEN g < 3 THEN 'Unhealthy' ELSE 'Healthy' END, now(), now(), 100,
                   CASE WHEN g < 3 THEN 'rows fell from 100 to 2' END, CASE WHEN g < 3 THEN 3 ELSE 0 END
            FROM generate_series(0, 19) g
            """);
        await Sql("ANALYZE");

        await using var command = dataSource.CreateCommand("""
            WITH s AS (
                INSERT INTO regression_suites (app_id, name, source, format, sha256, case_count, updated_at)
                SELECT a.id, 'prompts', 'cases: []', 'yaml', repeat('a', 64), 40, now() FROM apps a JOIN teams t ON t.id = a.team_id
                WHERE t.name = 'team-1' AND a.name = 'app-1' RETURNING id, app_id)
            INSERT INTO regression_runs (app_id, suite_id, pin_id, baseline_model, candidate_model, trigger, recorded, status, requested_at, finished_at, spent_usd, verdict, report)
            SELECT s.app_id, s.id, (SELECT min(id) FROM pins WHERE app_id = s.app_id), 'bench-model-a', 'bench-model-b', 'recorded', true, 'completed', now(), now(), 0, 'needs-review', $1::jsonb
            FROM s
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = RegressionRuns.WriteReport(Report()) });
        await command.ExecuteNonQueryAsync();
    }

    private static RegressionReport Report()
    {
        var words = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"word{i % 37}"));
        var regressions = Enumerable.Range(1, 8).Select(i => new RegressedCase($"case-{i}", "a regressed case", i == 1,
            words, words.Replace("word5 ", "changed ", StringComparison.Ordinal), ["contains: expected 'word5'"])).ToList();
        return new RegressionReport(ModelMonitor.Regression.Readiness.NeedsReview, false, ["8 case(s) regressed"], 40, 40,
            new ModelSummary("bench-model-a", 40, 38, 2, 0, 0.95, 800, 1300, 40_000, 9_000, 0.2m, 0.005m, 12m),
            new ModelSummary("bench-model-b", 40, 31, 9, 0, 0.775, 600, 1000, 41_000, 9_500, 0.1m, 0.0025m, 6m),
            regressions, 1, new Significance("mcnemar-exact", 8, 1, 0.039, true, "p = 0.039 < 0.05"), new LatencyChange(-200, -250, -150, -0.25), -0.5);
    }
}
