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
/// Each test class gets its own database, cloned from a migrated template.
public static class PostgresServer
{
    private const string TemplateName = "monitor_template";
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
        _dataDir = Path.Combine(Path.GetTempPath(), $"monitor-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40], "pg");
        var port = FreePort();
        await RunScriptAsync("start", _dataDir, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fast");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
    }

    public static void Stop()
    {
        if (_dataDir is null)
            return;
        RunScriptAsync("stop", _dataDir).GetAwaiter().GetResult();
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

    private static async Task RunScriptAsync(params string[] args)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "postgres.sh");
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
