using Microsoft.EntityFrameworkCore;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Npgsql;
using Octokit;

namespace ModelMonitor.Pins;

/// Keeps the pins of every app with a repository in step with its manifest (`.monitor/pins.yaml` by default),
/// read through the GitHub API. An unchanged blob sha costs one API call and no database write; a malformed or
/// missing file keeps the last good pins and records the error on the app, where GET app shows it.
public sealed partial class ManifestSync(
    MonitorDb db,
    GitHubClientFactory clients,
    NpgsqlDataSource dataSource,
    PinResolver resolver,
    TimeProvider time,
    ILogger<ManifestSync> logger)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private const int MaxErrorLength = 2000;

    public enum Outcome
    {
        Unchanged,
        Updated,
        Failed,
    }

    public sealed record Summary(int Apps, int Unchanged, int Updated, int Failed);

    private sealed record Target(long Id, long TeamId, string Team, string Name, string Repository, string Path, string? Sha, string? Error);

    public async Task<Summary> SyncAllAsync(CancellationToken cancellationToken)
    {
        var apps = await db.Apps.AsNoTracking()
            .Where(a => a.Repository != null)
            .OrderBy(a => a.Id)
            .Select(a => new Target(a.Id, a.TeamId, a.Team!.Name, a.Name, a.Repository!, a.ManifestPath, a.ManifestSha, a.ManifestError))
            .ToListAsync(cancellationToken);
        var client = clients.Create();
        var outcomes = new List<Outcome>();
        foreach (var app in apps)
            outcomes.Add(await SyncAsync(client, app, cancellationToken));
        var summary = new Summary(apps.Count, outcomes.Count(o => o == Outcome.Unchanged), outcomes.Count(o => o == Outcome.Updated), outcomes.Count(o => o == Outcome.Failed));
        Log.Finished(logger, summary.Apps, summary.Unchanged, summary.Updated, summary.Failed);
        return summary;
    }

    private async Task<Outcome> SyncAsync(GitHubClient client, Target app, CancellationToken cancellationToken)
    {
        var where = $"'{app.Path}' in {app.Repository}";
        var parts = app.Repository.Split('/');
        RepositoryContent file;
        try
        {
            // Octokit takes no cancellation token: bound the call on our clock instead.
            var entries = await client.Repository.Content.GetAllContents(parts[0], parts[1], app.Path)
                .WaitAsync(RequestTimeout, time, cancellationToken);
            if (entries.Count != 1 || entries[0].Type.Value != ContentType.File)
                return await FailAsync(app, null, $"{where} is not a file.", cancellationToken);
            file = entries[0];
        }
        catch (NotFoundException)
        {
            return await FailAsync(app, null, $"no manifest: {where} was not found (404); add the file, or fix the repository or manifest path.", cancellationToken);
        }
        catch (RateLimitExceededException ex)
        {
            return await FailAsync(app, null, $"GitHub rate limit exhausted until {ex.Reset:u}; set GitHub__Token for a higher limit.", cancellationToken);
        }
        catch (AuthorizationException)
        {
            return await FailAsync(app, null, "GitHub refused the credentials (401); check GitHub__Token.", cancellationToken);
        }
        catch (ApiException ex)
        {
            return await FailAsync(app, null, $"GitHub API error {(int)ex.StatusCode} reading {where}: {ex.Message}", cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            return await FailAsync(app, null, $"could not reach GitHub to read {where}: {ex.Message}", cancellationToken);
        }

        // The blob sha names the content: the same sha as last time is the same file, already applied.
        if (file.Sha == app.Sha)
        {
            Log.Unchanged(logger, app.Team, app.Name, file.Sha);
            return app.Error is null ? Outcome.Unchanged : Outcome.Failed;
        }
        if (file.Size > PinsManifest.MaxBytes || file.Content is null)
            return await FailAsync(app, file.Sha, $"{where} is {file.Size:N0} bytes; a manifest may have at most {PinsManifest.MaxBytes / 1024} KiB.", cancellationToken);
        var (manifest, spec, error) = PinsManifest.ParseAndValidate(file.Content);
        if (spec is null)
            return await FailAsync(app, file.Sha, $"{where}: {error}", cancellationToken);
        if (manifest!.App is { } named && named != app.Name)
            return await FailAsync(app, file.Sha, $"{where} names app '{named}', but it is configured for app '{app.Name}'.", cancellationToken);

        var now = time.GetUtcNow();
        var resolved = await resolver.ResolveAsync(spec.Pins, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
        // One batch: the app's manifest state and its pins change together or not at all.
        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(AppRegistration.Command("""
                UPDATE apps SET manifest_sha = $1, manifest_error = NULL, manifest_synced_at = $2, updated_at = $2,
                                description = coalesce($3, description)
                WHERE id = $4
                """, AppRegistration.P(file.Sha), AppRegistration.P(now), AppRegistration.P(spec.Description), AppRegistration.P(app.Id)));
            AppRegistration.AddPinCommands(batch, app.TeamId, app.Name, spec.Pins, resolved, now);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        Log.Updated(logger, app.Team, app.Name, spec.Pins.Count, file.Sha);
        return Outcome.Updated;
    }

    // Records the error (and the sha it belongs to, if any) unless it is already recorded: no write for a
    // file that stays missing or stays malformed. A null sha makes the next readable file apply whatever its sha.
    private async Task<Outcome> FailAsync(Target app, string? sha, string error, CancellationToken cancellationToken)
    {
        if (error.Length > MaxErrorLength)
            error = error[..(MaxErrorLength - 1)] + "…";
        Log.Failed(logger, app.Team, app.Name, error);
        if (app.Sha == sha && app.Error == error)
            return Outcome.Failed;
        await db.Apps.Where(a => a.Id == app.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.ManifestSha, sha)
            .SetProperty(a => a.ManifestError, error), cancellationToken);
        return Outcome.Failed;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Manifest sync: {Apps} app(s) with a repository; {Unchanged} unchanged, {Updated} updated, {Failed} with errors")]
        public static partial void Finished(ILogger logger, int apps, int unchanged, int updated, int failed);

        [LoggerMessage(2, LogLevel.Debug, "Manifest of {Team}/{App} unchanged (blob {Sha})")]
        public static partial void Unchanged(ILogger logger, string team, string app, string sha);

        [LoggerMessage(3, LogLevel.Information, "Manifest of {Team}/{App} applied: {Pins} pin(s) (blob {Sha})")]
        public static partial void Updated(ILogger logger, string team, string app, int pins, string sha);

        [LoggerMessage(4, LogLevel.Warning, "Manifest of {Team}/{App} not applied: {Error}")]
        public static partial void Failed(ILogger logger, string team, string app, string error);
    }
}
