using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Sources;

namespace ModelMonitor.Tests.Hardening;

/// Hostile provider pages the existing crawl tests do not cover. Each starts from a good crawl, so "nothing
/// else changes" is checked against a catalog that holds facts.
public sealed class PageHostileTests
{
    private const string Path = "/docs/deprecations";

    private static async Task<(MonitorApp App, CatalogCounts Before)> CrawledAsync(PageServer server, params (string Key, string Value)[] extra)
    {
        server.Serve(Path, CrawlTests.PageV1);
        var app = await MonitorApp.StartAsync(CrawlTests.Settings(server, extra), "hostilepage");
        Assert.Equal(CrawlOutcome.Applied, (await CrawlTests.CrawlAsync(app)).Outcome);
        return (app, await CatalogCounts.ReadAsync(app));
    }

    private static async Task AssertUnhealthyAndUnchangedAsync(MonitorApp app, CatalogCounts before, string error)
    {
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
        var state = await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"));
        Assert.Equal((SourceHealth.Unhealthy, error), (state.Health, state.LastError));
    }

    [Fact]
    public async Task AHundredMegabyteBodyIsRefusedAtTheDefaultCapWithoutReadingIt()
    {
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        var written = 0L;
        server.Handle(Path, async context =>
        {
            context.Response.ContentType = "text/markdown";
            context.Response.ContentLength = 100L * 1024 * 1024;
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            try
            {
                for (var i = 0; i < 1600 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    Interlocked.Add(ref written, chunk.Length);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
            }
        });

        var result = await CrawlTests.CrawlAsync(app);

        const string error = "response is 104,857,600 bytes, over the cap of 10,485,760 (MaxBytes); not read";
        Assert.Equal((CrawlOutcome.Failed, error), (result.Outcome, result.Detail));
        await AssertUnhealthyAndUnchangedAsync(app, before, error);
        Assert.Null((await app.WithDbAsync(db => db.Snapshots.OrderBy(s => s.Id).LastAsync())).Content);
    }

    [Fact]
    public async Task AnEndlessSlowBodyTimesOutOnTheInjectedClock()
    {
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        var trickling = new TaskCompletionSource();
        server.Handle(Path, async context =>
        {
            // Headers at once, then one byte now and then, forever: only the overall timeout can end it.
            context.Response.ContentType = "text/markdown";
            try
            {
                await context.Response.Body.WriteAsync("| Model |"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                trickling.TrySetResult();
                while (true)
                {
                    await Task.Delay(20, context.RequestAborted);
                    await context.Response.Body.WriteAsync("x"u8.ToArray(), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
            }
        });

        var crawl = CrawlTests.CrawlAsync(app);
        await trickling.Task.WaitAsync(TimeSpan.FromSeconds(30));
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        var result = await crawl.WaitAsync(TimeSpan.FromSeconds(30));

        const string error = "timed out after 30 s (TimeoutSeconds)";
        Assert.Equal((CrawlOutcome.Failed, error), (result.Outcome, result.Detail));
        await AssertUnhealthyAndUnchangedAsync(app, before, error);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "file")]
    [InlineData("ftp://127.0.0.1/deprecations.md", "ftp")]
    [InlineData("javascript:alert(1)", "javascript")]
    [InlineData("data:text/markdown,hello", "data")]
    public async Task ARedirectToANonHttpSchemeIsRefused(string location, string scheme)
    {
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        server.Handle(Path, context =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

        var result = await CrawlTests.CrawlAsync(app);

        var error = $"redirect to a {scheme}: URL refused ({new Uri(location)}); only http and https are followed";
        Assert.Equal((CrawlOutcome.Failed, error), (result.Outcome, result.Detail));
        await AssertUnhealthyAndUnchangedAsync(app, before, error);
    }

    [Fact]
    public async Task ATooManyRequestsStormFailsTheCrawlAfterTheRetriesWithoutStalling()
    {
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        server.Handle(Path, context =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "0";
            return Task.CompletedTask;
        });
        var requestsBefore = server.CountRequests(Path);

        var result = await CrawlTests.CrawlAsync(app);

        const string error = "HTTP 429 Too Many Requests";
        Assert.Equal((CrawlOutcome.Failed, error), (result.Outcome, result.Detail));
        Assert.Equal(1 + 3, server.CountRequests(Path) - requestsBefore);
        await AssertUnhealthyAndUnchangedAsync(app, before, error);
    }

    [Fact]
    public async Task TruncatedJsonFromARegistryIsAnErrorAndChangesNothing()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/v1/models", """{"object": "list", "data": [{"id": "gpt-4-0613", "object": "model", "created": 1686588896, "owned_by": "openai", "shutdown_date": "2027-01-15"}]}""", "application/json");
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:openai-api:Url"] = server.Url("/v1/models"),
            ["TEST_OPENAI_KEY"] = "sk-test-123",
            ["Sources:openai-api:ApiKeyVariable"] = "TEST_OPENAI_KEY",
            ["Fetching:Resilience:Retry:Delay"] = "00:00:00",
        });
        Assert.Equal(CrawlOutcome.Applied, (await CrawlTests.CrawlAsync(app, "openai-api")).Outcome);
        var before = await CatalogCounts.ReadAsync(app);
        server.Serve("/v1/models", """{"object": "list", "data": [{"id": "gpt-4-0613", "object": "mod""", "application/json");

        var result = await CrawlTests.CrawlAsync(app, "openai-api");

        Assert.Equal(CrawlOutcome.Rejected, result.Outcome);
        Assert.Contains("JSON", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }

    [Fact]
    public async Task ADeeplyNestedHtmlPageIsReadWithoutCrashingAndChangesNothing()
    {
        // AngleSharp stops nesting at 511 elements (deeper ones become siblings), so the reader's recursion is
        // bounded; 20,000 unclosed <div>s are read, found to hold no deprecations, and rejected.
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        var page = new StringBuilder("<html><body>").Insert(12, "<div>", 20_000).Append("<table><tr><th>Model</th></tr></table>").ToString();
        server.Serve(Path, page, "text/html; charset=utf-8");

        var result = await CrawlTests.CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Rejected, result.Outcome);
        Assert.StartsWith("extraction failed: no deprecated Cohere model", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }

    [Fact]
    public async Task ADeeplyNestedMarkdownPageIsRefusedAsMalformedAndChangesNothing()
    {
        await using var server = await PageServer.StartAsync();
        var (app, before) = await CrawledAsync(server);
        await using var _ = app;
        var page = string.Concat(Enumerable.Repeat("> ", 100_000)) + "| Shutdown Date | Deprecated Model |\n|---|---|\n| 2027-06-30 | `rerank-english-v2.0` |\n";
        server.Serve(Path, page, "text/markdown; charset=utf-8");

        var result = await CrawlTests.CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Rejected, result.Outcome);
        Assert.Contains("the page nests Markdown elements too deeply", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }
}
