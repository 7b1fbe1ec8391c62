using Npgsql;

namespace ModelMonitor.Storage;

/// Refuses to start a node against a database whose schema is older than this build:
/// migrations are a deploy step (`monitor migrate`), not something each node does on its own.
internal static class SchemaGuard
{
    public static async Task EnsureCurrentAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        var migrator = scope.ServiceProvider.GetRequiredService<DatabaseMigrator>();
        // Unreachable now: start anyway so /health can say so; the scheduler retries on its own.
        if (!await migrator.CanConnectAsync(cancellationToken))
            return;
        IReadOnlyList<string> pending;
        try
        {
            pending = await migrator.PendingMigrationsAsync(cancellationToken);
        }
        catch (NpgsqlException)
        {
            return;
        }
        if (pending.Count > 0)
            throw new SchemaBehindException(
                $"the database schema is older than this build ({pending.Count} migration(s) pending, newest {pending[^1]}). Run 'monitor migrate' first.");
    }
}

internal sealed class SchemaBehindException(string message) : Exception(message);
