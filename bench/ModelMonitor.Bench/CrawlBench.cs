using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelMonitor.Catalog;
using ModelMonitor.Hosting;
using ModelMonitor.Sources;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Bench;

/// A crawl cycle of N unchanged sources on loopback: each page is served by a local Kestrel server, crawled once
/// (applied), then crawled cycle after cycle. Two ways a page is "unchanged" are measured separately: the server
/// answers 304 to the ETag we send, or the server has no validators and the same bytes hash the same.
/// Target: under 1 s per cycle of 50 sources, with zero catalog writes.
internal static class CrawlBench
{
    public static int Run(BenchOptions options)
    {
        options.RejectUnknown("--sources", "--cycles", "--connection");
        var sources = options.GetInt("--sources", 50, 1, 1000);
        var cycles = options.GetInt("--cycles", 10, 1, 1000);
        return RunAsync(sources, cycles, options.Get("--connection") ?? Environment.GetEnvironmentVariable("MONITOR_BENCH_POSTGRES")).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int sources, int cycles, string? connection)
    {
        await using var cluster = connection is null ? await PrivateCluster.StartAsync() : null;
        var admin = connection ?? cluster!.ConnectionString;
        var database = $"bench_crawl_{Environment.ProcessId}";
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database}");
        await ExecuteAsync(admin, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        try
        {
            await MigrateAsync(connectionString);
            await using var pages = await PageHost.StartAsync(sources);
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Monitor"] = connectionString,
                ["Scheduling:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            for (var i = 0; i < sources; i++)
            {
                foreach (var mode in new[] { "etag", "hash" })
                {
                    settings[$"Sources:{mode}-{i:000}:Provider"] = "cohere";
                    settings[$"Sources:{mode}-{i:000}:Kind"] = "page";
                    settings[$"Sources:{mode}-{i:000}:Url"] = pages.Url(mode, i);
                }
            }
            await using var app = Host(settings);

            Console.WriteLine($"crawl: {sources} unchanged sources per cycle, {cycles} cycles, PostgreSQL and pages on loopback");
            var failed = 0;
            foreach (var (mode, label) in new[] { ("etag", "304 Not Modified (ETag)"), ("hash", "same bytes (SHA-256)  ") })
            {
                var names = Enumerable.Range(0, sources).Select(i => $"{mode}-{i:000}").ToList();
                var first = await CycleAsync(app, names);
                if (first.Outcomes.Any(o => o != CrawlOutcome.Applied))
                    throw new InvalidOperationException($"the first {mode} cycle did not apply every page: {string.Join(", ", first.Outcomes.Distinct())}");
                await CycleAsync(app, names); // warm-up of the unchanged path

                var before = await CountsAsync(app);
                var times = new List<TimeSpan>();
                for (var c = 0; c < cycles; c++)
                {
                    var cycle = await CycleAsync(app, names);
                    if (cycle.Outcomes.Any(o => o != CrawlOutcome.Unchanged))
                        throw new InvalidOperationException($"a {mode} cycle found a change: {string.Join(", ", cycle.Outcomes.Distinct())}");
                    times.Add(cycle.Elapsed);
                }
                var writes = await CountsAsync(app) - before;
                times.Sort();
                var median = times[times.Count / 2];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {label}: median {median.TotalMilliseconds,7:0.0} ms per cycle (min {times[0].TotalMilliseconds:0.0}, max {times[^1].TotalMilliseconds:0.0}), {median.TotalMilliseconds / sources:0.00} ms per source; catalog rows written: {writes}"));
                if (median >= TimeSpan.FromSeconds(1) || writes != 0)
                    failed++;
            }
            Console.WriteLine(failed == 0 ? "  target met: under 1 s per cycle, no catalog writes" : "  TARGET MISSED");
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static WebApplication Host(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Bench" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddStorage();
        builder.AddGitHub();
        builder.AddSources();
        builder.AddCatalog();
        builder.Services.AddMonitorMetrics();
        return builder.Build();
    }

    private static async Task<(TimeSpan Elapsed, List<CrawlOutcome> Outcomes)> CycleAsync(WebApplication app, List<string> names)
    {
        var outcomes = new List<CrawlOutcome>(names.Count);
        var watch = Stopwatch.StartNew();
        foreach (var name in names)
        {
            await using var scope = app.Services.CreateAsyncScope();
            outcomes.Add((await scope.ServiceProvider.GetRequiredService<Crawler>().CrawlAsync(name)).Outcome);
        }
        return (watch.Elapsed, outcomes);
    }

    // Rows in every catalog table (snapshots and source state are the crawl's own record, not the catalog).
    private static async Task<long> CountsAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        return await db.Observations.LongCountAsync() + await db.SourceStatements.LongCountAsync() + await db.ModelVersions.LongCountAsync()
            + await db.ChangeEvents.LongCountAsync() + await db.ModelAliases.LongCountAsync() + await db.Providers.LongCountAsync()
            + await db.ModelVersions.Where(m => m.UpdatedAt > m.FirstSeenAt).LongCountAsync();
    }

    private static async Task MigrateAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var options = new DbContextOptionsBuilder<MonitorDb>()
            .UseNpgsql(dataSource, o => o.MigrationsAssembly(StorageExtensions.MigrationsAssembly))
            .UseSnakeCaseNamingConvention()
            .Options;
        await using var db = new MonitorDb(options);
        await new DatabaseMigrator(db, dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// Serves one small deprecations page per source: under /etag/ with an ETag, under /hash/ with no validators.
    private sealed class PageHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _base;

        private PageHost(WebApplication app, string @base) => (_app, _base) = (app, @base);

        public string Url(string mode, int i) => $"{_base}/{mode}/{i}";

        public static async Task<PageHost> StartAsync(int count)
        {
            var pages = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Page(i))).ToArray();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/{mode}/{i:int}", async (HttpContext context, string mode, int i) =>
            {
                var etag = $"\"page-{i}\"";
                if (mode == "etag")
                {
                    context.Response.Headers.ETag = etag;
                    if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                    {
                        context.Response.StatusCode = StatusCodes.Status304NotModified;
                        return;
                    }
                }
                context.Response.ContentType = "text/markdown; charset=utf-8";
                context.Response.ContentLength = pages[i].Length;
                await context.Response.Body.WriteAsync(pages[i]);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new PageHost(app, address.TrimEnd('/'));
        }

        // A page in the shape the Cohere extractor reads: one dated announcement with a table of four models.
        private static string Page(int i) => string.Create(CultureInfo.InvariantCulture, $"""
            ## Retirement log

            ### 2025-{1 + i % 12:00}-15: Bench family {i}

            Four bench models of family {i} are retiring.

            | Shutdown Date | Deprecated Model | Recommended Replacement |
            |---|---|---|
            | 2027-06-30 | `bench-{i}-a` | `bench-{i}-next` |
            | 2027-06-30 | `bench-{i}-b` | `bench-{i}-next` |
            | 2027-09-30 | `bench-{i}-c` | `bench-{i}-next` |
            | 2027-09-30 | `bench-{i}-d` | `bench-{i}-next` |
            """);

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// A throwaway PostgreSQL cluster on loopback, started with deploy/postgres.sh (as the tests do).
    private sealed class PrivateCluster : IAsyncDisposable
    {
        private readonly string _dataDir;

        private PrivateCluster(string dataDir, string connectionString) => (_dataDir, ConnectionString) = (dataDir, connectionString);

        public string ConnectionString { get; }

        public static async Task<PrivateCluster> StartAsync()
        {
            var dataDir = Path.Combine(Path.GetTempPath(), $"monitor-bench-{Environment.ProcessId}", "pg");
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            await ScriptAsync("start", dataDir, port.ToString(CultureInfo.InvariantCulture), "--fast");
            return new PrivateCluster(dataDir, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await ScriptAsync("stop", _dataDir);
            try
            {
                Directory.Delete(Path.GetDirectoryName(_dataDir)!, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static async Task ScriptAsync(params string[] args)
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Monitor.sln")))
                root = root.Parent;
            var script = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Monitor.sln not found above the bench tool."), "deploy", "postgres.sh");
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(script);
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"deploy/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
