using ModelMonitor.Storage;

namespace ModelMonitor.Cli;

internal static class MigrateVerb
{
    public static async Task<int> RunAsync(VerbContext context)
    {
        using var scope = context.Services.CreateScope();
        var migrator = scope.ServiceProvider.GetRequiredService<DatabaseMigrator>();
        await migrator.MigrateAsync(context.CancellationToken);
        await context.Out.WriteLineAsync("Database schema is current.");
        return ExitCodes.Ok;
    }
}
