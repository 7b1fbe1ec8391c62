using ModelMonitor.Sources.Fetching;
using Octokit;

namespace ModelMonitor.Sources.GitHub;

/// Fetches one file of a GitHub repository through Octokit. The blob sha is the validator: when it equals the
/// sha applied last time the file is unchanged and its bytes are not downloaded at all.
public sealed class GitHubFileFetcher(GitHubClientFactory clients, TimeProvider time)
{
    public async Task<FetchResult> FetchAsync(SourceDefinition source, string? appliedSha, CancellationToken cancellationToken)
    {
        var url = source.DisplayUrl;
        var parts = source.Repository!.Split('/');
        var (owner, name, path) = (parts[0], parts[1], source.Path!.TrimStart('/'));
        var timeout = TimeSpan.FromSeconds(source.TimeoutSeconds);
        var client = clients.Create();
        try
        {
            // Octokit takes no cancellation token: bound each call by the source's timeout on our clock instead.
            var entries = await client.Repository.Content.GetAllContentsByRef(owner, name, path, source.Ref)
                .WaitAsync(timeout, time, cancellationToken);
            var file = entries.FirstOrDefault(e => e.Type.Value == ContentType.File && e.Path.Equals(path, StringComparison.Ordinal))
                ?? entries.FirstOrDefault(e => e.Type.Value == ContentType.File);
            if (file is null || entries.Count != 1)
                return new FetchFailed(url, 200, $"'{path}' in {source.Repository} at '{source.Ref}' is not a single file ({entries.Count} entries)");
            if (file.Sha == appliedSha)
                return new NotModified(url, 304, file.Sha);
            if (file.Size > source.MaxBytes)
                return new FetchFailed(url, 200, $"file is {file.Size:N0} bytes, over the cap of {source.MaxBytes:N0} (MaxBytes); not downloaded");

            var bytes = await client.Repository.Content.GetRawContentByRef(owner, name, path, source.Ref)
                .WaitAsync(timeout, time, cancellationToken);
            if (bytes is null)
                return new FetchFailed(url, 200, "GitHub returned no raw content for the file");
            if (bytes.Length > source.MaxBytes)
                return new FetchFailed(url, 200, $"file is {bytes.Length:N0} bytes, over the cap of {source.MaxBytes:N0} (MaxBytes)");
            var (text, error) = PageContent.Decode(bytes);
            if (error is not null)
                return new FetchFailed(url, 200, error, null, bytes);
            return new Fetched(url, 200, null, file.Sha, null, bytes, text!, PageContent.Hash(bytes));
        }
        catch (NotFoundException)
        {
            return new FetchFailed(url, 404, $"GitHub has no file '{path}' at '{source.Ref}' in {source.Repository} (404); check Repository, Path and Ref");
        }
        catch (RateLimitExceededException ex)
        {
            return new FetchFailed(url, 403, $"GitHub rate limit exhausted until {ex.Reset:u}; set GitHub__Token for a higher limit");
        }
        catch (AuthorizationException)
        {
            return new FetchFailed(url, 401, "GitHub refused the credentials (401); check GitHub__Token");
        }
        catch (ApiException ex)
        {
            return new FetchFailed(url, (int)ex.StatusCode, $"GitHub API error {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (TimeoutException)
        {
            return new FetchFailed(url, null, $"timed out after {timeout.TotalSeconds:0} s (TimeoutSeconds)");
        }
        catch (HttpRequestException ex)
        {
            return new FetchFailed(url, null, $"request to GitHub failed: {ex.Message}");
        }
        catch (Polly.Timeout.TimeoutRejectedException ex)
        {
            return new FetchFailed(url, null, $"timed out: {ex.Message}");
        }
    }
}
