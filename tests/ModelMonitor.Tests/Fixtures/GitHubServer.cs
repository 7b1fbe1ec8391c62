using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelMonitor.Tests.Fixtures;

/// A local GitHub REST API on loopback speaking enough of the wire format for Octokit: repository contents
/// (JSON with base64 content and blob sha, or raw bytes when asked for `application/vnd.github.v3.raw`) and
/// GitHub-shaped 404s. Every request is logged. Other areas add their own routes (issues, code search)
/// through <paramref name="routes"/> of <see cref="StartAsync"/>; <see cref="Intercept"/> lets a test answer
/// any request itself (a 500, a stall).
public sealed class GitHubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Repository, string Path, string Ref), byte[]> _files = new();
    private readonly ConcurrentQueue<GitHubRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private GitHubServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string DefaultBranch { get; set; } = "main";

    public IReadOnlyList<GitHubRequest> Requests => _requests.ToArray();

    /// Answers a request before the routes do when it returns a result (e.g. Results.StatusCode(500)).
    public Func<HttpContext, Task<IResult?>>? Intercept { get; set; }

    public static async Task<GitHubServer> StartAsync(Action<IEndpointRouteBuilder, GitHubServer>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new GitHubServer(app);

        app.Use(async (context, next) =>
        {
            server._requests.Enqueue(new GitHubRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.Accept.ToString(),
                context.Request.Headers.Authorization.ToString(),
                context.Request.Headers.UserAgent.ToString()));
            server._arrived.Release();
            if (server.Intercept is { } intercept && await intercept(context) is { } result)
            {
                await result.ExecuteAsync(context);
                return;
            }
            await next(context);
        });

        app.MapGet("/repos/{owner}/{repo}/contents/{**path}", (string owner, string repo, string path, string? @ref, HttpContext context) =>
            server.Contents($"{owner}/{repo}", Uri.UnescapeDataString(path), @ref ?? server.DefaultBranch, context.Request.Headers.Accept.ToString()));
        routes?.Invoke(app, server);
        app.MapFallback(() => NotFound());

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public void AddFile(string repository, string path, string content, string? @ref = null) =>
        AddFile(repository, path, Encoding.UTF8.GetBytes(content), @ref);

    public void AddFile(string repository, string path, byte[] content, string? @ref = null) =>
        _files[(repository, path.TrimStart('/'), @ref ?? DefaultBranch)] = content;

    public void RemoveFile(string repository, string path, string? @ref = null) =>
        _files.TryRemove((repository, path.TrimStart('/'), @ref ?? DefaultBranch), out _);

    /// Waits until at least <paramref name="count"/> requests have arrived in total.
    public async Task WaitForRequestsAsync(int count, CancellationToken cancellationToken = default)
    {
        while (_requests.Count < count)
            await _arrived.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// The blob sha GitHub would report for these bytes: SHA-1 over "blob {length}\0" + content.
    public static string BlobSha(byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
#pragma warning disable CA5350 // git's object id is SHA-1 by definition
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }

    /// A GitHub-shaped error body (Octokit reads "message").
    public static IResult NotFound() =>
        Results.Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest" }, statusCode: (int)HttpStatusCode.NotFound);

    private IResult Contents(string repository, string path, string @ref, string accept)
    {
        if (!_files.TryGetValue((repository, path, @ref), out var content))
            return NotFound();
        var sha = BlobSha(content);
        if (accept.Contains("application/vnd.github.v3.raw", StringComparison.OrdinalIgnoreCase))
            // GitHub echoes the raw media type; Octokit reads bodies of that type as bytes.
            return Results.Bytes(content, "application/vnd.github.v3.raw; charset=utf-8");

        var self = new Uri(BaseAddress, $"repos/{repository}/contents/{path}?ref={@ref}").ToString();
        var name = path[(path.LastIndexOf('/') + 1)..];
        return Results.Json(new Dictionary<string, object?>
        {
            ["type"] = "file",
            ["encoding"] = "base64",
            ["size"] = content.Length,
            ["name"] = name,
            ["path"] = path,
            // GitHub wraps base64 at 60 characters.
            ["content"] = string.Join('\n', Convert.ToBase64String(content).Chunk(60).Select(c => new string(c))) + "\n",
            ["sha"] = sha,
            ["url"] = self,
            ["git_url"] = new Uri(BaseAddress, $"repos/{repository}/git/blobs/{sha}").ToString(),
            ["html_url"] = $"https://github.com/{repository}/blob/{@ref}/{path}",
            ["download_url"] = $"https://raw.githubusercontent.com/{repository}/{@ref}/{path}",
            ["_links"] = new Dictionary<string, string> { ["self"] = self },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}

public sealed record GitHubRequest(string Method, string Path, string Query, string Accept, string Authorization, string UserAgent);
