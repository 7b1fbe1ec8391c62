using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using ModelMonitor.Hosting;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ModelMonitor.Sources.Fetching;

/// One GET of a page over HTTP(S), with every guard a crawler of other people's servers needs: conditional
/// requests, redirects followed by hand (limit, http/https only, host allow-list), a content-type check,
/// a size cap enforced while the body streams in, a timeout on the clock we are given, and UTF-8 only.
public sealed partial class PageFetcher(IHttpClientFactory clients, TimeProvider time, IOptions<FetchingOptions> options, ILogger<PageFetcher> logger)
{
    public const string HttpClientName = "sources";

    private static readonly string[] AcceptedMediaTypes =
    [
        "text/html", "application/xhtml+xml", "text/markdown", "text/x-markdown", "text/mdx", "text/x-mdx",
        "text/plain", "application/json",
    ];

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(request.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var url = request.Url;
        try
        {
            var client = clients.CreateClient(HttpClientName);
            for (var redirects = 0; ; redirects++)
            {
                using var message = Build(request, url, time.GetUtcNow());
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var status = (int)response.StatusCode;

                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (response.Headers.Location is not { } location)
                        return new FetchFailed(url.ToString(), status, $"HTTP {status} redirect without a Location header");
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (redirects >= options.Value.MaxRedirects)
                        return new FetchFailed(url.ToString(), status, $"more than {options.Value.MaxRedirects} redirects (the last to {next}); a redirect loop?");
                    if (next.Scheme is not ("http" or "https"))
                        return new FetchFailed(url.ToString(), status, $"redirect to a {next.Scheme}: URL refused ({next}); only http and https are followed");
                    if (!request.IsHostAllowed(next.Host))
                        return new FetchFailed(url.ToString(), status, $"redirect to host '{next.Host}' refused: not in the allowed hosts ({string.Join(", ", request.AllowedHostsDescription)})");
                    Log.Redirected(logger, url, next);
                    url = next;
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.NotModified)
                    return new NotModified(url.ToString(), status, request.ETag);
                if (!response.IsSuccessStatusCode)
                    return new FetchFailed(url.ToString(), status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd());

                var contentType = response.Content.Headers.ContentType;
                if (ContentTypeError(contentType) is { } typeError)
                    return new FetchFailed(url.ToString(), status, typeError, contentType?.ToString());
                if (response.Content.Headers.ContentLength is { } declared && declared > request.MaxBytes)
                    return new FetchFailed(url.ToString(), status, $"response is {declared:N0} bytes, over the cap of {request.MaxBytes:N0} (MaxBytes); not read");

                var (body, capError) = await ReadCappedAsync(response.Content, request.MaxBytes, linked.Token);
                if (capError is not null)
                    return new FetchFailed(url.ToString(), status, capError, contentType?.ToString());

                var (text, utf8Error) = PageContent.Decode(body!);
                if (utf8Error is not null)
                    return new FetchFailed(url.ToString(), status, utf8Error, contentType?.ToString(), body);

                return new Fetched(
                    url.ToString(), status, contentType?.ToString(),
                    response.Headers.ETag?.ToString(),
                    response.Content.Headers.LastModified?.ToString("R"),
                    body!, text!, PageContent.Hash(body));
            }
        }
        // Ours, or the resilience handler's timeout firing at the same moment (whichever wins the race): ours is the
        // setting the operator controls, so it is the one named.
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutRejectedException
                                   && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new FetchFailed(url.ToString(), null, $"timed out after {request.Timeout.TotalSeconds:0} s (TimeoutSeconds)");
        }
        catch (TimeoutRejectedException ex)
        {
            return new FetchFailed(url.ToString(), null, $"timed out: {ex.Message}");
        }
        catch (BrokenCircuitException)
        {
            return new FetchFailed(url.ToString(), null, "not attempted: the circuit breaker is open after repeated failures; it retries by itself");
        }
        catch (HttpRequestException ex)
        {
            return new FetchFailed(url.ToString(), ex.StatusCode is { } code ? (int)code : null, $"request failed: {ex.Message}");
        }
    }

    private static HttpRequestMessage Build(FetchRequest request, Uri url, DateTimeOffset now)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.UserAgent.ParseAdd(Product.UserAgent);
        message.Headers.Accept.ParseAdd("text/html, text/markdown;q=0.9, text/plain;q=0.8, application/json;q=0.8, */*;q=0.1");
        if (request.ETag is { Length: > 0 } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
            message.Headers.IfNoneMatch.Add(tag);
        if (request.LastModified is { Length: > 0 } lastModified && DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
            message.Headers.IfModifiedSince = since;
        if (request.BearerToken is { Length: > 0 } token)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (request.Aws is { } aws)
            AwsSigV4.Sign(message, aws, now);
        return message;
    }

    private static string? ContentTypeError(MediaTypeHeaderValue? contentType)
    {
        // No Content-Type at all: let the UTF-8 check and the extractor judge the bytes.
        if (contentType?.MediaType is not { } mediaType)
            return null;
        if (!AcceptedMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase) && !mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return $"content type '{mediaType}' is not a page (accepted: {string.Join(", ", AcceptedMediaTypes)})";
        if (contentType.CharSet is { Length: > 0 } charset && charset.Trim('"').ToLowerInvariant() is not ("utf-8" or "utf8" or "us-ascii"))
            return $"content is declared as charset '{charset}'; only UTF-8 pages are read";
        return null;
    }

    // Reads at most maxBytes + 1 bytes: one more than the cap proves the body is too large without reading the rest.
    private static async Task<(byte[]? Body, string? Error)> ReadCappedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var initial = (int)Math.Min(content.Headers.ContentLength ?? 64 * 1024, maxBytes);
        using var buffer = new MemoryStream(initial);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
                return (null, $"response exceeds the cap of {maxBytes:N0} bytes (MaxBytes); stopped reading after {total:N0}");
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), null);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Redirect {From} -> {To}")]
        public static partial void Redirected(ILogger logger, Uri from, Uri to);
    }
}

public sealed record FetchRequest(Uri Url, long MaxBytes, TimeSpan Timeout, IReadOnlyList<string> AllowedHosts)
{
    public string? ETag { get; init; }
    public string? LastModified { get; init; }
    public string? BearerToken { get; init; }

    // Signs each request (redirects included) with AWS Signature Version 4.
    public AwsSigning? Aws { get; init; }

    // The URL's own host is always allowed; "*.example.com" allows every subdomain of example.com.
    public bool IsHostAllowed(string host) =>
        string.Equals(host, Url.Host, StringComparison.OrdinalIgnoreCase)
        || AllowedHosts.Any(allowed => allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> AllowedHostsDescription => AllowedHosts.Prepend(Url.Host).Distinct(StringComparer.OrdinalIgnoreCase);
}

/// Section "Fetching": what every source's fetch shares. The retry and timeouts of the standard resilience
/// handler may be tuned under "Fetching:Resilience" (HttpStandardResilienceOptions).
public sealed class FetchingOptions
{
    public const string Section = "Fetching";

    [System.ComponentModel.DataAnnotations.Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;
}
