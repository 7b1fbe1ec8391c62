using System.Diagnostics;
using ModelMonitor.Tests.Fixtures;
using Npgsql;

namespace ModelMonitor.Tests.Hardening;

/// A PostgreSQL cluster of its own (deploy/postgres.sh, like the shared one) that a test may stop and start
/// while the host is working: the shared server must never blink under other tests.
public sealed class PrivatePostgres : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"monitor-faults-{Guid.NewGuid():N}"[..36], "pg");
    private readonly int _port = PostgresServer.FreePort();
    private int _databases;

    public string Admin => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";

    public Task InitializeAsync() => StartAsync();

    // Durable, unlike the shared test cluster (--fast turns fsync and synchronous commit off): an immediate stop
    // would otherwise lose transactions committed in the last few hundred milliseconds, which no real server does.
    public Task StartAsync() => RunScriptAsync("start", _dataDir, _port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // postgres.sh stops with -m immediate: every session is cut, as in a crash or a failover.
    public Task StopAsync() => RunScriptAsync("stop", _dataDir);

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// A new migrated database; its connection string pools like the host's.
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"restart_{Interlocked.Increment(ref _databases)}";
        await PostgresServer.ExecuteAsync(Admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(Admin) { Database = name, Pooling = true }.ConnectionString;
        await PostgresServer.MigrateAsync(connectionString);
        return connectionString;
    }

    /// One value read on a connection of its own (no pool), for assertions made after a restart.
    public async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(_dataDir)!, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(PostgresServer.RepositoryRoot(), "deploy", "postgres.sh"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
    }
}
