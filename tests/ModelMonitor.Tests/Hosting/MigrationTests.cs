using ModelMonitor.Tests.Fixtures;
using Npgsql;

namespace ModelMonitor.Tests.Hosting;

public sealed class MigrationTests
{
    [Fact]
    public async Task MigrationsApplyToAnEmptyDatabaseAndAgainWithoutChange()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("migrate");

        await PostgresServer.MigrateAsync(connectionString);
        var first = await SchemaFingerprintAsync(connectionString);
        await PostgresServer.MigrateAsync(connectionString);
        var second = await SchemaFingerprintAsync(connectionString);

        Assert.Contains("model_versions", first);
        Assert.Contains("pins", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task MigrateCreatesTheQuartzTablesFromThePackage()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("quartz");

        await PostgresServer.MigrateAsync(connectionString);

        var tables = await TablesAsync(connectionString);
        var quartz = tables.Where(t => t.StartsWith("qrtz_", StringComparison.Ordinal)).ToList();
        Assert.Equal(15, quartz.Count);
        Assert.Contains("qrtz_fired_triggers", quartz);
        Assert.Contains("qrtz_scheduler_state", quartz);
    }

    [Fact]
    public async Task MigrateVerbOnAnEmptyDatabaseLogsNoFailure()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("fresh");

        var result = await MonitorProcess.RunAsync(["migrate"], new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = connectionString });

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches(@"Applied [1-9][0-9]* migration\(s\): [0-9]+_Initial", result.Stdout + result.Stderr);
        Assert.DoesNotContain("fail:", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed executing", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateVerbIsSafeOnADatabaseThatHoldsData()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("verb");
        await PostgresServer.ExecuteAsync(connectionString,
            "INSERT INTO model_versions (provider, model, version, replacements, retires_on_is_estimate, retires_on_precision, first_seen_at, updated_at) " +
            "VALUES ('openai', 'gpt-4-0613', '', '{}', false, 'Day', now(), now())");

        var result = await MonitorProcess.RunAsync(["migrate"], new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = connectionString });

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Database schema is current.", result.Stdout);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM model_versions", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    private static async Task<List<string>> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT lower(table_name) FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            tables.Add(reader.GetString(0));
        return tables;
    }

    private static async Task<string> SchemaFingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name)
            FROM information_schema.columns WHERE table_schema = 'public'
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
