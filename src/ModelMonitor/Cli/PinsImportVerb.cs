using Microsoft.EntityFrameworkCore;
using ModelMonitor.Pins;
using ModelMonitor.Storage;

namespace ModelMonitor.Cli;

/// `pins import --team T --file pins.yaml [--app A]`: registers an app's pins from a manifest file, as the
/// API's PUT would (the pin set is replaced as a whole); the app's repository settings are kept.
internal static class PinsImportVerb
{
    public static readonly IReadOnlySet<string> Options = new HashSet<string> { "--team", "--file", "--app" };

    public static async Task<int> RunAsync(VerbContext context)
    {
        var team = context.Arguments.Require("--team");
        var file = context.Arguments.Require("--file");
        var appOption = context.Arguments.Get("--app");
        if (appOption is not null && !PinsValidation.IsSlug(appOption))
            throw new CliUsageException($"--app must be 1 to 63 lowercase letters, digits or '-', not '{appOption}'.");

        var info = new FileInfo(file);
        if (!info.Exists)
            return await DataErrorAsync($"{file}: no such file.");
        if (info.Length > PinsManifest.MaxBytes)
            return await DataErrorAsync($"{file}: larger than {PinsManifest.MaxBytes / 1024} KiB; a pins manifest is a short file.");
        var (manifest, spec, error) = PinsManifest.ParseAndValidate(await File.ReadAllTextAsync(file, context.CancellationToken));
        if (spec is null)
            return await DataErrorAsync($"{file}: {error}");
        var app = appOption ?? manifest!.App ?? throw new CliUsageException("--app is required: the manifest does not name its app ('app: <name>').");
        if (appOption is not null && manifest!.App is { } named && named != appOption)
            throw new CliUsageException($"--app '{appOption}' differs from the manifest's app '{named}'; drop one of them.");

        await using var scope = context.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<PinRegistry>();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        if (await registry.FindTeamIdAsync(team, context.CancellationToken) is not { } teamId)
            return await DataErrorAsync($"there is no team '{team}'.");
        var existing = await db.Apps.AsNoTracking()
            .Where(a => a.TeamId == teamId && a.Name == app)
            .Select(a => new { a.Description, a.Repository, a.ManifestPath })
            .FirstOrDefaultAsync(context.CancellationToken);
        spec = spec with
        {
            Description = spec.Description ?? existing?.Description,
            Repository = existing?.Repository,
            ManifestPath = existing?.ManifestPath ?? spec.ManifestPath,
        };

        var saved = await scope.ServiceProvider.GetRequiredService<AppRegistration>().SaveAsync(teamId, team, app, spec, context.CancellationToken);
        await context.Out.WriteLineAsync($"{(saved.Created ? "Created" : "Replaced")} {team}/{app} with {saved.App.Pins.Count} pin(s):");
        foreach (var pin in saved.App.Pins)
            await context.Out.WriteLineAsync($"  {CheckVerb.Line(pin)}");
        return ExitCodes.Ok;
    }

    private static async Task<int> DataErrorAsync(string message)
    {
        await Console.Error.WriteLineAsync($"monitor pins import: {message}");
        return ExitCodes.DataError;
    }
}
