using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ModelMonitor.Storage;

/// Applies EF Core migrations and Quartz's own schema. Idempotent: safe to run twice and on live data.
internal sealed partial class DatabaseMigrator(MonitorDb db, NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    public const string QuartzTablePrefix = "qrtz_";

    // Quartz 4.7.3 embeds an idempotent create-if-missing script; take the schema from the package we run.
    private const string QuartzSchemaResource = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // EF Core reads the history table to learn what is applied and, on a fresh database, logs that read's failure
        // as an error before creating the table: create it first, so a first migrate logs no failed command.
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        Log.Applied(logger, pending.Count, pending.Count == 0 ? "none" : string.Join(", ", pending));

        var created = await ProvisionQuartzSchemaAsync(cancellationToken);
        Log.QuartzSchema(logger, created);
    }

    public Task<bool> CanConnectAsync(CancellationToken cancellationToken) => db.Database.CanConnectAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken) =>
        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();

    private async Task<int> ProvisionQuartzSchemaAsync(CancellationToken cancellationToken)
    {
        var assembly = typeof(Quartz.IScheduler).Assembly;
        await using var stream = assembly.GetManifestResourceStream(QuartzSchemaResource)
            ?? throw new InvalidOperationException($"The Quartz package no longer embeds {QuartzSchemaResource}; check its schema provisioning.");
        using var reader = new StreamReader(stream);
        var script = (await reader.ReadToEndAsync(cancellationToken))
            .Replace("{0}", QuartzTablePrefix, StringComparison.Ordinal)
            .Replace("{1}", QuartzTablePrefix, StringComparison.Ordinal);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var statements = 0;
        // Statements are separated by lines reading exactly "--;;".
        foreach (var statement in StatementSeparator().Split(script).Select(s => s.Trim()))
        {
            if (statement.Split('\n').All(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal) || line.Trim().Length == 0))
                continue;
            await using var command = new NpgsqlCommand(statement, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            statements++;
        }
        await transaction.CommitAsync(cancellationToken);
        return statements;
    }

    [GeneratedRegex(@"^--;;[ \t\r]*$", RegexOptions.Multiline)]
    private static partial Regex StatementSeparator();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Applied {Count} migration(s): {Migrations}")]
        public static partial void Applied(ILogger logger, int count, string migrations);

        [LoggerMessage(2, LogLevel.Information, "Quartz schema checked ({Statements} create-if-missing statements)")]
        public static partial void QuartzSchema(ILogger logger, int statements);
    }
}
