using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ModelMonitor.Tests.Fixtures;

/// A web server on loopback serving pages the way providers do: with an ETag and Last-Modified, answering
/// conditional requests with 304. A test can also answer a path itself (500s, stalls, endless bodies,
/// redirects). Every request is logged with the validators it carried.
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PageRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private PageServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<PageRequest> Requests => _requests.ToArray();

    public static async Task<PageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new PageServer(app);
        app.Run(async context =>
        {
            var request = context.Request;
            server._requests.Enqueue(new PageRequest(
                request.Path.Value ?? "",
                request.Headers.IfNoneMatch.ToString(),
                request.Headers.IfModifiedSince.ToString(),
                request.Headers.UserAgent.ToString(),
                request.Headers.Authorization.ToString(),
                request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            server._arrived.Release();
            if (server._handlers.TryGetValue(request.Path.Value ?? "", out var handler))
                await handler(context);
            else
                context.Response.StatusCode = StatusCodes.Status404NotFound;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public string Url(string path) => new Uri(BaseAddress, path.TrimStart('/')).ToString();

    /// Serves <paramref name="content"/> at <paramref name="path"/>, honouring If-None-Match / If-Modified-Since
    /// when an ETag / Last-Modified is given.
    public void Serve(string path, string content, string contentType = "text/markdown; charset=utf-8", string? etag = null, DateTimeOffset? lastModified = null) =>
        Serve(path, Encoding.UTF8.GetBytes(content), contentType, etag, lastModified);

    public void Serve(string path, byte[] content, string contentType, string? etag = null, DateTimeOffset? lastModified = null) =>
        Handle(path, async context =>
        {
            var request = context.Request;
            var response = context.Response;
            if (etag is not null)
                response.Headers.ETag = etag;
            if (lastModified is not null)
                response.Headers.LastModified = HeaderUtilities.FormatDate(lastModified.Value);
            var notModified = etag is not null && request.Headers.IfNoneMatch.Count > 0
                ? request.Headers.IfNoneMatch.ToString().Split(',').Select(t => t.Trim()).Contains(etag)
                : lastModified is not null && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since) && since >= lastModified.Value.AddTicks(-(lastModified.Value.Ticks % TimeSpan.TicksPerSecond));
            if (notModified)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            response.ContentType = contentType;
            response.ContentLength = content.Length;
            await response.Body.WriteAsync(content);
        });

    public void Handle(string path, Func<HttpContext, Task> handler) => _handlers[path] = handler;

    public int CountRequests(string path) => _requests.Count(r => r.Path == path);

    /// Waits until at least <paramref name="count"/> requests for <paramref name="path"/> have arrived.
    public async Task WaitForRequestsAsync(string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (CountRequests(path) < count)
            await _arrived.WaitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}

public sealed record PageRequest(string Path, string IfNoneMatch, string IfModifiedSince, string UserAgent, string Authorization, IReadOnlyDictionary<string, string> Headers);
