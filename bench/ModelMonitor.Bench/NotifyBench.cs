using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Hosting;
using ModelMonitor.Notifications;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Bench;

/// Notification planning over 1,000,000 pins (10,000 teams, 5,000 model versions), seeded with generate_series,
/// then delivery of every digest it produced to a loopback SMTP server over reused connections.
/// --deliver no stops after planning.
/// Needs a PostgreSQL where it may create a database: --connection, or MONITOR_BENCH_POSTGRES, or else it starts
/// a private cluster with deploy/postgres.sh in a temporary folder (and removes it).
internal static class NotifyBench
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    public static int Run(BenchOptions options)
    {
        options.RejectUnknown("--connection", "--pins", "--teams", "--models", "--batch", "--deliver");
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options)
    {
        var pins = options.GetInt("--pins", 1_000_000, 10, 10_000_000);
        var teams = options.GetInt("--teams", 10_000, 1, 1_000_000);
        var models = options.GetInt("--models", 5_000, 10, 1_000_000);
        var batch = options.GetInt("--batch", 200, 1, 10_000);
        // --deliver no: time planning only (delivering 10,000 digests takes most of a run).
        var deliver = options.Get("--deliver") switch
        {
            null or "yes" => true,
            "no" => false,
            var other => throw new ArgumentException($"--deliver must be yes or no, not '{other}'."),
        };
        var appsPerTeam = 10;
        if (pins % (teams * appsPerTeam) != 0)
            throw new ArgumentException($"--pins must be a multiple of 10 × --teams ({teams * appsPerTeam}).");
        var pinsPerApp = pins / (teams * appsPerTeam);
        if (pinsPerApp > models)
            throw new ArgumentException("--models must be at least the number of pins per app.");

        string? privateCluster = null;
        var admin = options.Get("--connection") ?? Environment.GetEnvironmentVariable("MONITOR_BENCH_POSTGRES");
        if (admin is null)
        {
            privateCluster = Path.Combine(Path.GetTempPath(), $"monitor-bench-{Environment.ProcessId}");
            var port = FreePort();
            await Script("start", Path.Combine(privateCluster, "pg"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fast");
            admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }
        var database = $"bench_notify_{Environment.ProcessId}";
        try
        {
            await Execute(admin, $"CREATE DATABASE {database}");
            var connection = new NpgsqlConnectionStringBuilder(admin) { Database = database, CommandTimeout = 600 }.ConnectionString;
            await using var smtp = await SmtpSink.StartAsync();
            await using var host = Host(connection, smtp.Port, batch);
            await MigrateAsync(connection);

            var seed = Stopwatch.StartNew();
            await SeedAsync(connection, pins, teams, appsPerTeam, pinsPerApp, models);
            Console.WriteLine($"seeded {pins:N0} pins in {teams * appsPerTeam:N0} apps of {teams:N0} teams over {models:N0} model versions in {seed.Elapsed.TotalSeconds:0.0} s");

            // The service plans in a warm process: its EF Core model is built and its pool open from start-up on, so
            // the bench does the same before timing. And the seed's half a gigabyte of writes is checkpointed first,
            // so the timed run does not pay for the seed's flush.
            await using (var scope = host.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<MonitorDb>().Database.ExecuteSqlRawAsync("SELECT 1");
            await Execute(connection, "CHECKPOINT");

            var rssBefore = Rss();
            PlanResult first;
            await using (var scope = host.Services.CreateAsyncScope())
                first = await scope.ServiceProvider.GetRequiredService<NotificationPlanner>().PlanAsync(null, false, null, CancellationToken.None);
            var fingerprint = await FingerprintAsync(connection);
            PlanResult second;
            await using (var scope = host.Services.CreateAsyncScope())
                second = await scope.ServiceProvider.GetRequiredService<NotificationPlanner>().PlanAsync(null, false, null, CancellationToken.None);
            Console.WriteLine($"planning, first run:  {first.Elapsed.TotalSeconds:0.00} s — {first.Planned:N0} notifications, {first.DigestIds.Count:N0} digests, {first.OutboxMessages:N0} outbox messages");
            Console.WriteLine($"planning, second run: {second.Elapsed.TotalSeconds:0.00} s — {second.Planned:N0} new (idempotent)");
            Console.WriteLine($"first run's output fingerprint: {fingerprint}");
            Console.WriteLine($"bench process RSS: {rssBefore / 1048576.0:0} MiB before planning, peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB (planning runs in PostgreSQL; nothing per pin is loaded)");

            if (!deliver)
                return 0;
            var delivery = host.Services.GetRequiredService<OutboxDelivery>();
            var clock = Stopwatch.StartNew();
            var result = await delivery.DeliverAsync(CancellationToken.None);
            clock.Stop();
            Console.WriteLine($"delivery: {result.Sent:N0} digests sent, {result.Failed:N0} failed in {clock.Elapsed.TotalSeconds:0.00} s = {result.Sent / clock.Elapsed.TotalSeconds:0} msgs/s "
                + $"over {smtp.Connections:N0} SMTP connection(s) (batch {batch}); server received {smtp.Messages:N0}, {smtp.Bytes / 1048576.0:0.0} MiB");
            Console.WriteLine($"bench process peak RSS: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB");
            return result.Failed == 0 && result.Sent == smtp.Messages ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await Execute(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }
            catch (NpgsqlException)
            {
            }
            if (privateCluster is not null)
            {
                await Script("stop", Path.Combine(privateCluster, "pg"));
                Directory.Delete(privateCluster, recursive: true);
            }
        }
    }

    private static WebApplication Host(string connection, int smtpPort, int batch)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Monitor"] = connection,
            ["Database:CommandTimeoutSeconds"] = "600",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "monitor@bench.test",
            ["Notifications:Delivery:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        builder.AddStorage();
        builder.AddGitHub();
        builder.AddNotifications();
        builder.Services.AddMonitorMetrics();
        return builder.Build();
    }

    // Teams, apps and pins with generate_series; pins spread evenly over the model versions; 60 % of versions have a
    // retirement date between 30 days ago and 470 days ahead (so every team has something due and the run yields ~10,000 digests) (a seventh of them estimates), the rest none.
    private static async Task SeedAsync(string connection, int pins, int teams, int appsPerTeam, int pinsPerApp, int models)
    {
        await using var dataSource = NpgsqlDataSource.Create(connection);
        async Task Sql(string sql)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
        await Sql($"""
            INSERT INTO model_versions (provider, model, version, status, retires_on, retires_on_is_estimate, retires_on_precision, replacements, first_seen_at, updated_at)
            SELECT 'openai', 'bench-model-' || g, '', CASE WHEN g % 5 < 2 THEN 'Active' ELSE 'Deprecated' END,
                   CASE WHEN g % 5 < 2 THEN NULL ELSE date '2026-11-28' + ((g * 7919) % 500) - 30 END,
                   g % 7 = 0, 'Day', ARRAY['bench-model-' || (g % {models} + 1)], now(), now()
            FROM generate_series(1, {models}) g
            """);
        await Sql($"""
            INSERT INTO teams (name, emails, escalation_emails, token_hash, token_issued_at, created_at)
            SELECT 'team-' || g, ARRAY['ml-' || g || '@corp.example'], ARRAY['lead-' || g || '@corp.example'],
                   sha256(('bench-token-' || g)::bytea), now(), now()
            FROM generate_series(1, {teams}) g
            """);
        await Sql($"""
            INSERT INTO apps (team_id, name, description, manifest_path, created_at, updated_at)
            SELECT t.id, 'app-' || a, 'Benchmark app ' || a || ' of ' || t.name, '.monitor/pins.yaml', now(), now()
            FROM teams t CROSS JOIN generate_series(1, {appsPerTeam}) a
            """);
        // A pseudo-random first model per app (hashint8), then k × 499 further on: distinct within the app.
        await Sql($"""
            INSERT INTO pins (app_id, provider, model, version, environment, created_at)
            SELECT a.id, 'openai', 'bench-model-' || ((abs(hashint8(a.id)::bigint) + k * 499) % {models} + 1), '', '', now()
            FROM apps a CROSS JOIN generate_series(0, {pinsPerApp - 1}) k
            """);
        await Sql("ANALYZE");
        var count = (long)(await dataSource.CreateCommand("SELECT count(*) FROM pins").ExecuteScalarAsync())!;
        if (count != pins)
            throw new InvalidOperationException($"seeded {count} pins, expected {pins}.");
    }

    // A checksum of what the first run wrote, without surrogate ids (but with the order of a pin's items): a change to planning must leave it as it was.
    private static async Task<string> FingerprintAsync(string connection)
    {
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT md5(string_agg(concat_ws('|', idempotency_key, run_id, team_id, app_id, pin_id, reason, provider, model, version,
                                                     environment, platform, milestone, retires_on, is_estimate, precision, days_left,
                                                     successor, verdict, detail, escalate, informational, created_at, place), E'\n' ORDER BY idempotency_key))
                    -- with each item's place among its pin's items (a digest orders them by id)
                    FROM (SELECT *, row_number() OVER (PARTITION BY team_id, app_id, provider, model, version, environment ORDER BY id) AS place
                          FROM notifications) n)
                || ' ' || (SELECT md5(string_agg(concat_ws('|', run_id, team_id, created_at), E'\n' ORDER BY run_id, team_id)) FROM digests)
                || ' ' || (SELECT md5(string_agg(concat_ws('|', o.channel, d.run_id, d.team_id, o.team_id, o.target, o.next_attempt_at), E'\n'
                                                 ORDER BY o.channel, d.run_id, d.team_id, o.target))
                           FROM outbox o LEFT JOIN digests d ON d.id = o.digest_id)
            """);
        command.CommandTimeout = 600;
        return (string)(await command.ExecuteScalarAsync())!;
    }

    // As a deploy does it: the built host's `migrate` verb (the migrations assembly sits beside the host, not here).
    internal static async Task MigrateAsync(string connection)
    {
        var host = Path.Combine(RepositoryRoot(), "src", "ModelMonitor", "bin", "Release", "net10.0", "monitor.dll");
        if (!File.Exists(host))
            throw new InvalidOperationException($"{host} is missing: build the bench in Release (it builds the host).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(host);
        start.ArgumentList.Add("migrate");
        start.Environment["ConnectionStrings__Monitor"] = connection;
        start.Environment["Auth__AdminToken"] = "bench-admin-token-0123456789abcdef0123";
        start.Environment["Scheduling__Enabled"] = "false";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"monitor migrate failed ({process.ExitCode}): {await error}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Monitor.sln not found above the bench.");
    }

    private static long Rss() => Process.GetCurrentProcess().WorkingSet64;

    internal static async Task Execute(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task Script(params string[] args)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "deploy", "postgres.sh"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/postgres.sh {string.Join(' ', args)} failed: {await error}");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// A minimal SMTP receiver on loopback (no PIPELINING, no TLS): accepts every message and counts it, so the
    /// figure measures Monitor's side of the conversation.
    private sealed class SmtpSink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;
        private int _connections;
        private int _messages;
        private long _bytes;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Connections => Volatile.Read(ref _connections);
        public int Messages => Volatile.Read(ref _messages);
        public long Bytes => Interlocked.Read(ref _bytes);

        public static Task<SmtpSink> StartAsync()
        {
            var sink = new SmtpSink();
            sink._listener.Start();
            sink._accepting = sink.AcceptAsync();
            return Task.FromResult(sink);
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            client.NoDelay = true;
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 bench.test ESMTP");
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            await writer.WriteLineAsync("250-bench.test\r\n250-8BITMIME\r\n250 SIZE 10485760");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                            long size = 0;
                            while (await reader.ReadLineAsync() is { } data && data != ".")
                                size += data.Length + 2;
                            Interlocked.Add(ref _bytes, size);
                            Interlocked.Increment(ref _messages);
                            await writer.WriteLineAsync("250 queued");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 ok");
                            break;
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
