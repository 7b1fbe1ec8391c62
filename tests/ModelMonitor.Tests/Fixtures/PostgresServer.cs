using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Tests.Fixtures;

/// One real PostgreSQL server for the whole test run: a private cluster on loopback started with
/// deploy/postgres.sh (the same script the local run uses), or the server MONITOR_TEST_POSTGRES names.
/// Each test class gets its own database, cloned from a migrated template; MonitorApp drops the ones it made.
public static class PostgresServer
{
    private const string TemplateName = "monitor_template";
    private const string FolderPrefix = "monitor-tests-";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static string? _dataDir;
    private static int _counter;

    public static async Task<string> CreateDatabaseAsync(string? hint = null)
    {
        var admin = await EnsureStartedAsync();
        var name = $"t_{Sanitize(hint ?? "db")}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await Gate.WaitAsync();
        try
        {
            // CREATE DATABASE … TEMPLATE needs the template to have no other connections.
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\" TEMPLATE {TemplateName}");
        }
        finally
        {
            Gate.Release();
        }
        return WithDatabase(admin, name);
    }

    /// An empty database with no schema at all, for migration tests.
    public static async Task<string> CreateEmptyDatabaseAsync(string hint)
    {
        var admin = await EnsureStartedAsync();
        var name = $"e_{Sanitize(hint)}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        return WithDatabase(admin, name);
    }

    public static async Task<string> AdminConnectionStringAsync() => await EnsureStartedAsync();

    /// Drops a database made for one test, cutting any connection still open to it. Only disk space is at stake,
    /// so a failure here never fails the test (which may be failing already for a better reason).
    public static async Task DropDatabaseAsync(string connectionString)
    {
        if (_adminConnectionString is not { } admin)
            return;
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        try
        {
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
        }
    }

    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> EnsureStartedAsync()
    {
        if (_adminConnectionString is not null)
            return _adminConnectionString;
        await Gate.WaitAsync();
        try
        {
            if (_adminConnectionString is not null)
                return _adminConnectionString;
            var admin = Environment.GetEnvironmentVariable("MONITOR_TEST_POSTGRES") is { Length: > 0 } external
                ? external
                : await StartPrivateClusterAsync();
            await CreateTemplateAsync(admin);
            _adminConnectionString = admin;
            return admin;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartPrivateClusterAsync()
    {
        await RemoveAbandonedClustersAsync();
        _dataDir = NewDataFolder("shared");
        var port = FreePort();
        await RunScriptAsync("start", _dataDir, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fast");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    /// A folder in the temporary directory for a cluster of this test run, named after its process so that a
    /// later run can tell when it was left behind.
    public static string NewDataFolder(string purpose) =>
        Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{purpose}-{Guid.NewGuid():N}"[..^24]);

    /// A run that was killed (or whose test host was stopped before it could clean up) leaves its clusters behind,
    /// possibly still running: stop and delete those whose process is gone.
    private static async Task RemoveAbandonedClustersAsync()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var name = Path.GetFileName(folder).AsSpan(FolderPrefix.Length);
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || IsRunning(pid))
                continue;
            try
            {
                await RunScriptAsync("remove", folder);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // Someone else's to clear up (another user's folder, say): this run does not need it gone.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// Where the server's log is kept when the cluster is deleted, for reading a failed run (`.ci/run` prints its
    /// serious lines when the tests fail).
    public static string KeptLog => Path.Combine(AppContext.BaseDirectory, "TestResults", "postgres.log");

    public static void Stop()
    {
        if (_dataDir is null)
            return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(KeptLog)!);
            File.Copy(Path.Combine(_dataDir, "server.log"), KeptLog, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        RunScriptAsync("remove", _dataDir).GetAwaiter().GetResult();
        _dataDir = null;
    }

    private static async Task CreateTemplateAsync(string admin)
    {
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {TemplateName}");
        await ExecuteAsync(admin, $"CREATE DATABASE {TemplateName}");
        var connectionString = WithDatabase(admin, TemplateName);
        await MigrateAsync(connectionString);
        NpgsqlConnection.ClearAllPools();
    }

    public static async Task MigrateAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var options = new DbContextOptionsBuilder<MonitorDb>()
            .UseNpgsql(dataSource, o => o.MigrationsAssembly(StorageExtensions.MigrationsAssembly))
            .UseSnakeCaseNamingConvention()
            .Options;
        await using var db = new MonitorDb(options);
        await new DatabaseMigrator(db, dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public static async Task RunScriptAsync(params string[] args)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "postgres.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // pg_ctl itself waits at most 60 s
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Monitor.sln not found above the test assembly.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Sanitize(string hint) =>
        new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray()) is { Length: > 0 } s ? s : "db";
}
