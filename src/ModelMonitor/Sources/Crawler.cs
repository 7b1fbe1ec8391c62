using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Sources.Fetching;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Sources;

public enum CrawlOutcome
{
    Applied,
    Unchanged,
    Rejected,
    Failed,
    Skipped,
}

public sealed record CrawlResult(string Source, CrawlOutcome Outcome, string Detail, int? Rows = null, ReconcileResult? Reconciled = null, long? SnapshotId = null)
{
    public bool Succeeded => Outcome is CrawlOutcome.Applied or CrawlOutcome.Unchanged;

    public override string ToString() => Outcome switch
    {
        CrawlOutcome.Applied =>
            $"{Source}: applied, {Rows} rows; {Reconciled!.ModelsAdded} model versions added, {Reconciled.ModelsUpdated} updated, {Reconciled.Events} change events",
        _ => $"{Source}: {Outcome.ToString().ToLowerInvariant()}, {Detail}",
    };
}

/// One crawl of one source: fetch → snapshot (bytes kept) → extract → health check → reconcile in one
/// transaction. An unchanged page (304, same blob sha, or same SHA-256) ends after the fetch with no catalog
/// write. A failed fetch, an extraction error, no rows, or under half the previous rows marks the source
/// unhealthy and keeps the snapshot for inspection; the catalog is untouched and the next run tries again.
public sealed partial class Crawler(
    MonitorDb db,
    NpgsqlDataSource dataSource,
    PageFetcher pages,
    GitHubFileFetcher github,
    Reconciler reconciler,
    TimeProvider time,
    IOptions<SourcesOptions> options,
    IConfiguration configuration,
    Hosting.MonitorMetrics metrics,
    ILogger<Crawler> logger)
{
    /// Every active source (enabled, and keyed where it needs a key), one after the other.
    public async Task<IReadOnlyList<CrawlResult>> CrawlAllAsync(CancellationToken cancellationToken)
    {
        var results = new List<CrawlResult>();
        foreach (var source in options.Value.Sources.Values.Where(s => s.IsActive(configuration)).OrderBy(s => s.Name, StringComparer.Ordinal))
            results.Add(await CrawlAsync(source.Name, cancellationToken: cancellationToken));
        return results;
    }

    /// <param name="file">A saved copy of the source's page, imported as if fetched.</param>
    /// <param name="force">Re-read and re-extract even when the page is unchanged (after an extractor fix).</param>
    public async Task<CrawlResult> CrawlAsync(string name, string? file = null, bool force = false, CancellationToken cancellationToken = default)
    {
        var source = options.Value.Find(name) ?? throw new ArgumentException($"no source named '{name}' is configured", nameof(name));
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("crawl");
        activity?.SetTag("monitor.source", source.Name);
        var started = time.GetTimestamp();
        await using var gate = await SourceLock.TryAcquireAsync(dataSource, source.Name, cancellationToken);
        if (gate is null)
            return new CrawlResult(source.Name, CrawlOutcome.Skipped, "a crawl of this source is already running");
        try
        {
            var result = await CrawlLockedAsync(source, file, force, cancellationToken);
            Log.Crawled(logger, result.ToString());
            metrics.Crawled(source.Name, result.Outcome.ToString().ToLowerInvariant(), time.GetElapsedTime(started), result.Rows);
            activity?.SetTag("monitor.outcome", result.Outcome.ToString().ToLowerInvariant());
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A database or programming error mid-crawl: the transaction rolled back; say so on the source.
            Log.CrawlFailed(logger, ex, source.Name);
            db.ChangeTracker.Clear();
            await RecordFailureAsync(source, $"crawl failed: {ex.GetType().Name}: {ex.Message}", cancellationToken);
            metrics.Crawled(source.Name, "failed", time.GetElapsedTime(started), null);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            return new CrawlResult(source.Name, CrawlOutcome.Failed, $"crawl failed: {ex.Message}");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task<CrawlResult> CrawlLockedAsync(SourceDefinition source, string? file, bool force, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = await StateAsync(source, cancellationToken);
        var fetch = file is not null
            ? ReadFile(source, file)
            : await FetchAsync(source, state, force, cancellationToken);

        var snapshot = new Snapshot
        {
            SourceName = source.Name, FetchedAt = now, Url = fetch.Url, StatusCode = fetch.StatusCode, Outcome = SnapshotOutcome.Failed,
        };
        state.LastFetchAt = now;
        db.Snapshots.Add(snapshot);

        switch (fetch)
        {
            case NotModified notModified:
                snapshot.Outcome = SnapshotOutcome.Unchanged;
                snapshot.ETag = notModified.ETag;
                snapshot.LastModified = state.LastModified;
                snapshot.ContentHash = state.ContentHash;
                snapshot.Rows = state.LastRows;
                MarkHealthy(state, now);
                await db.SaveChangesAsync(cancellationToken);
                return new CrawlResult(source.Name, CrawlOutcome.Unchanged, $"not modified (HTTP {notModified.StatusCode})", state.LastRows, SnapshotId: snapshot.Id);

            case FetchFailed failed:
                snapshot.Error = Truncate(failed.Error);
                snapshot.ContentType = failed.ContentType;
                snapshot.Content = failed.Content;
                MarkUnhealthy(state, failed.Error);
                await db.SaveChangesAsync(cancellationToken);
                return new CrawlResult(source.Name, CrawlOutcome.Failed, failed.Error, SnapshotId: snapshot.Id);
        }

        var fetched = (Fetched)fetch;
        snapshot.ContentType = fetched.ContentType;
        snapshot.ETag = fetched.ETag;
        snapshot.LastModified = fetched.LastModified;
        snapshot.ContentHash = fetched.Hash;

        if (!force && fetched.Hash == state.ContentHash)
        {
            // The bytes are those of the last applied snapshot, which keeps them; this row records the visit.
            snapshot.Outcome = SnapshotOutcome.Unchanged;
            snapshot.Rows = state.LastRows;
            if (file is null)
                (state.ETag, state.LastModified) = (fetched.ETag, fetched.LastModified);
            MarkHealthy(state, now);
            await db.SaveChangesAsync(cancellationToken);
            return new CrawlResult(source.Name, CrawlOutcome.Unchanged, "same content as last applied", state.LastRows, SnapshotId: snapshot.Id);
        }

        snapshot.Content = fetched.Content;
        var (observations, rejection) = Extract(source, fetched.Text);
        snapshot.Rows = observations?.Count;
        rejection ??= HealthProblem(observations!.Count, state.LastRows);
        if (rejection is not null)
        {
            snapshot.Outcome = SnapshotOutcome.Rejected;
            snapshot.Error = Truncate(rejection);
            MarkUnhealthy(state, rejection);
            await db.SaveChangesAsync(cancellationToken);
            return new CrawlResult(source.Name, CrawlOutcome.Rejected, rejection, observations?.Count, SnapshotId: snapshot.Id);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        snapshot.Outcome = SnapshotOutcome.Applied;
        await db.SaveChangesAsync(cancellationToken);
        var reconciled = await reconciler.ReconcileAsync(new ReconcileSource(source.Name, source.AuthorityValue), snapshot, observations!, cancellationToken);
        // Validators describe what was applied; a file import has none, so the next fetch is a full GET.
        (state.ETag, state.LastModified) = file is null ? (fetched.ETag, fetched.LastModified) : (null, null);
        state.ContentHash = fetched.Hash;
        state.LastRows = observations!.Count;
        state.LastChangeAt = now;
        MarkHealthy(state, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CrawlResult(source.Name, CrawlOutcome.Applied, "applied", observations.Count, reconciled, snapshot.Id);
    }

    private async Task<SourceState> StateAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var state = await db.Sources.FindAsync([source.Name], cancellationToken);
        if (state is null)
        {
            state = new SourceState { Name = source.Name, Provider = source.Provider };
            db.Sources.Add(state);
        }
        state.Provider = source.Provider;
        return state;
    }

    private async Task<FetchResult> FetchAsync(SourceDefinition source, SourceState state, bool force, CancellationToken cancellationToken)
    {
        var (etag, lastModified) = force ? (null, null) : (state.ETag, state.LastModified);
        switch (source.Kind)
        {
            case SourceKinds.GitHubFile:
                return await github.FetchAsync(source, etag, cancellationToken);
            case SourceKinds.OpenAiApi:
                var key = source.ApiKey(configuration);
                if (key is null)
                    return new FetchFailed(source.DisplayUrl, null, $"no API key: set the environment variable {source.ApiKeyVariable}");
                return await pages.FetchAsync(Request(source, new Uri(source.DisplayUrl), etag, lastModified) with { BearerToken = key }, cancellationToken);
            case SourceKinds.BedrockApi:
                if (AwsCredentials.From(configuration) is not { } credentials)
                    return new FetchFailed(source.DisplayUrl, null,
                        $"no AWS credentials: set the environment variables {AwsCredentials.AccessKeyIdVariable} and {AwsCredentials.SecretAccessKeyVariable} (and {AwsCredentials.SessionTokenVariable} for temporary ones)");
                var signing = new AwsSigning(credentials, source.Region, "bedrock");
                return await pages.FetchAsync(Request(source, new Uri(source.DisplayUrl), etag, lastModified) with { Aws = signing }, cancellationToken);
            default:
                return await pages.FetchAsync(Request(source, new Uri(source.Url!), etag, lastModified), cancellationToken);
        }
    }

    private static FetchRequest Request(SourceDefinition source, Uri url, string? etag, string? lastModified) =>
        new(url, source.MaxBytes, TimeSpan.FromSeconds(source.TimeoutSeconds), source.AllowedHosts) { ETag = etag, LastModified = lastModified };

    private static FetchResult ReadFile(SourceDefinition source, string path)
    {
        var full = Path.GetFullPath(path);
        var url = new Uri(full).AbsoluteUri;
        var info = new FileInfo(full);
        if (!info.Exists)
            return new FetchFailed(url, null, $"file not found: {full}");
        if (info.Length > source.MaxBytes)
            return new FetchFailed(url, null, $"file is {info.Length:N0} bytes, over the cap of {source.MaxBytes:N0} (MaxBytes)");
        var bytes = File.ReadAllBytes(full);
        var (text, error) = PageContent.Decode(bytes);
        return error is not null
            ? new FetchFailed(url, null, error, null, bytes)
            : new Fetched(url, null, null, null, null, bytes, text!, PageContent.Hash(bytes));
    }

    private (IReadOnlyList<Observation>? Observations, string? Error) Extract(SourceDefinition source, string text)
    {
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("extract");
        var (extractor, error) = SourceExtractors.For(source);
        if (extractor is null)
            return (null, error);
        try
        {
            return (extractor.Extract(text), null);
        }
        catch (ExtractionException ex)
        {
            return (null, $"extraction failed: {ex.Message}");
        }
        catch (Exception ex)
        {
            // The contract says extractors throw only ExtractionException; a page must never crash a crawl anyway.
            Log.ExtractorCrashed(logger, ex, source.Name);
            return (null, $"extractor error ({ex.GetType().Name}): {ex.Message}");
        }
    }

    private static string? HealthProblem(int rows, int? previous) => rows switch
    {
        0 => "the page yielded no rows; has its table moved or been renamed?",
        _ when previous is { } before && rows * 2 < before => $"the page yielded {rows} rows, under half of the previous {before}",
        _ => null,
    };

    private static void MarkHealthy(SourceState state, DateTimeOffset now)
    {
        state.Health = SourceHealth.Healthy;
        state.LastSuccessAt = now;
        state.LastError = null;
        state.ConsecutiveFailures = 0;
    }

    private static void MarkUnhealthy(SourceState state, string error)
    {
        state.Health = SourceHealth.Unhealthy;
        state.LastError = Truncate(error);
        state.ConsecutiveFailures++;
    }

    private async Task RecordFailureAsync(SourceDefinition source, string error, CancellationToken cancellationToken)
    {
        try
        {
            var state = await StateAsync(source, cancellationToken);
            state.LastFetchAt = time.GetUtcNow();
            MarkUnhealthy(state, error);
            db.Snapshots.Add(new Snapshot
            {
                SourceName = source.Name, FetchedAt = time.GetUtcNow(), Url = source.DisplayUrl, Outcome = SnapshotOutcome.Failed, Error = Truncate(error),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or NpgsqlException or InvalidOperationException)
        {
            Log.CouldNotRecord(logger, ex, source.Name);
        }
    }

    private static string Truncate(string value) => value.Length <= 2000 ? value : value[..2000];

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Result}")]
        public static partial void Crawled(ILogger logger, string result);

        [LoggerMessage(2, LogLevel.Error, "Crawl of {Source} failed")]
        public static partial void CrawlFailed(ILogger logger, Exception exception, string source);

        [LoggerMessage(3, LogLevel.Error, "The extractor for {Source} threw instead of reporting an ExtractionException")]
        public static partial void ExtractorCrashed(ILogger logger, Exception exception, string source);

        [LoggerMessage(4, LogLevel.Error, "Could not record the failed crawl of {Source}")]
        public static partial void CouldNotRecord(ILogger logger, Exception exception, string source);
    }
}

/// A PostgreSQL advisory lock per source, so a scheduled crawl, a CLI crawl and other cluster nodes never crawl
/// the same source at once (the crawl job has one trigger per source and runs different sources in parallel).
internal sealed class SourceLock : IAsyncDisposable
{
    // First key of the two-int advisory lock space: "crawls".
    private const int LockClass = 0x6372; // "cr"

    private readonly NpgsqlConnection _connection;
    private readonly string _source;

    private SourceLock(NpgsqlConnection connection, string source) => (_connection, _source) = (connection, source);

    public static async Task<SourceLock?> TryAcquireAsync(NpgsqlDataSource dataSource, string source, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, hashtext($2))", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LockClass });
        command.Parameters.Add(new NpgsqlParameter { Value = source });
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
            return new SourceLock(connection, source);
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, hashtext($2))", _connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockClass });
            command.Parameters.Add(new NpgsqlParameter { Value = _source });
            await command.ExecuteScalarAsync();
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
