namespace ModelMonitor.Sources.Fetching;

/// What one fetch of a source produced.
public abstract record FetchResult(string Url, int? StatusCode);

/// New bytes (valid UTF-8, within the cap, of an accepted content type).
public sealed record Fetched(string Url, int? StatusCode, string? ContentType, string? ETag, string? LastModified, byte[] Content, string Text, string Hash)
    : FetchResult(Url, StatusCode);

/// The server (or GitHub's blob sha) says the content is what we applied last time.
public sealed record NotModified(string Url, int? StatusCode, string? ETag) : FetchResult(Url, StatusCode);

/// The fetch failed; <paramref name="Content"/> holds what was read when there is something to inspect.
public sealed record FetchFailed(string Url, int? StatusCode, string Error, string? ContentType = null, byte[]? Content = null)
    : FetchResult(Url, StatusCode);
