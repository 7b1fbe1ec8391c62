using ModelMonitor.Tests.Fixtures;
using Npgsql;

namespace ModelMonitor.Tests.Hardening;

/// A PostgreSQL cluster of its own (deploy/postgres.sh, like the shared one) that a test may stop and start
/// while the host is working: the shared server must never blink under other tests.
public sealed class PrivatePostgres : IAsyncLifetime
{
    private readonly string _dataDir = PostgresServer.NewDataFolder("faults");
    private readonly int _port = PostgresServer.FreePort();
    private int _databases;

    public string Admin => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";

    public Task InitializeAsync() => StartAsync();

    // Durable, unlike the shared test cluster (--fast turns fsync and synchronous commit off): an immediate stop
    // would otherwise lose transactions committed in the last few hundred milliseconds, which no real server does.
    public Task StartAsync() => PostgresServer.RunScriptAsync("start", _dataDir, _port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // postgres.sh stops with -m immediate: every session is cut, as in a crash or a failover.
    public Task StopAsync() => PostgresServer.RunScriptAsync("stop", _dataDir);

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

    public Task DisposeAsync() => PostgresServer.RunScriptAsync("remove", _dataDir);
}
