using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Catalog;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources;

/// Crawls over HTTP on loopback, through the real fetcher, extractor, health check and reconciler.
public sealed class CrawlTests
{
    // Our own page in the shape of Cohere's deprecations page (dated announcements with tables).
    internal const string PageV1 = """
        ## Retirement log

        ### 2025-01-15: First-generation rerankers

        The first rerank generation is being retired.

        | Shutdown Date | Deprecated Model | Recommended Replacement |
        |---|---|---|
        | 2027-06-30 | `rerank-english-v2.0` | `rerank-v3.5` |
        | 2027-06-30 | `rerank-multilingual-v2.0` | `rerank-v3.5` |

        ### 2024-11-01: Early embedding models

        | Shutdown Date | Deprecated Model | Recommended Replacement |
        |---|---|---|
        | 2027-02-28 | `embed-english-light-v2.0` | `embed-english-light-v3.0` |
        | 2027-02-28 | `embed-multilingual-v2.0` | `embed-multilingual-v3.0` |
        """;

    // The same page a month later: one shutdown postponed.
    internal static readonly string PageV2 = PageV1.Replace("| 2027-06-30 | `rerank-english-v2.0`", "| 2027-07-31 | `rerank-english-v2.0`", StringComparison.Ordinal);

    // The tables are gone (a redesign the extractor does not understand).
    private const string PageWithoutTables = """
        ## Retirement log

        Our deprecations now live in a new interactive explorer.
        """;

    private const string Path = "/docs/deprecations";

    [Fact]
    public async Task AFirstCrawlStoresTheSnapshotAndItsObservationsWithProvenance()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1, etag: "\"v1\"");
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Applied, result.Outcome);
        Assert.Equal(4, result.Rows);
        var snapshot = await app.WithDbAsync(db => db.Snapshots.SingleAsync());
        Assert.Equal((SnapshotOutcome.Applied, "\"v1\"", PageV1), (snapshot.Outcome, snapshot.ETag, Encoding.UTF8.GetString(snapshot.Content!)));
        var observation = await app.WithDbAsync(db => db.Observations.SingleAsync(o => o.Model == "rerank-english-v2.0"));
        Assert.Equal(server.Url(Path), observation.Url);
        Assert.Equal(app.Clock.GetUtcNow(), observation.FetchedAt);
        Assert.Equal("2025-01-15: First-generation rerankers", observation.Section);
        Assert.Equal("2027-06-30 | rerank-english-v2.0 | rerank-v3.5", observation.Evidence);
        var model = await ReconcileTests.ModelAsync(app, "cohere", "rerank-english-v2.0");
        Assert.Equal((new DateOnly(2027, 6, 30), "sample"), (model.RetiresOn, model.CurrentSource));
        var state = await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"));
        Assert.Equal((SourceHealth.Healthy, 4, "\"v1\""), (state.Health, state.LastRows, state.ETag));
        Assert.StartsWith("Monitor/", server.Requests[0].UserAgent);
    }

    [Fact]
    public async Task ANotModifiedAnswerWritesNothingToTheCatalog()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1, etag: "\"v1\"");
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Unchanged, result.Outcome);
        Assert.Equal("\"v1\"", server.Requests[^1].IfNoneMatch);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
        var last = await app.WithDbAsync(db => db.Snapshots.OrderBy(s => s.Id).LastAsync());
        Assert.Equal((SnapshotOutcome.Unchanged, 304, (byte[]?)null), (last.Outcome, last.StatusCode, last.Content));
    }

    [Fact]
    public async Task LastModifiedIsSentBackAsIfModifiedSince()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1, lastModified: new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.Zero));
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Unchanged, result.Outcome);
        Assert.Equal("Sun, 01 Nov 2026 08:30:00 GMT", server.Requests[^1].IfModifiedSince);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }

    [Fact]
    public async Task TheSameBytesWithoutValidatorsWriteNothingToTheCatalog()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1);
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        var result = await CrawlAsync(app);

        Assert.Equal((CrawlOutcome.Unchanged, "same content as last applied"), (result.Outcome, result.Detail));
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }

    [Fact]
    public async Task AChangedPageReportsTheMovedRetirement()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1, etag: "\"v1\"");
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);

        server.Serve(Path, PageV2, etag: "\"v2\"");
        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Applied, result.Outcome);
        var moved = Assert.Single(await ReconcileTests.EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedLater);
        Assert.Equal(("rerank-english-v2.0", "2027-06-30", "2027-07-31"), (moved.Model, moved.OldValue, moved.NewValue));
        Assert.Equal(result.SnapshotId, moved.SnapshotId);
        Assert.Equal(1, result.Reconciled!.ModelsUpdated);
    }

    [Fact]
    public async Task AServerErrorMarksTheSourceUnhealthyAndTheNextRunRecovers()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1);
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        server.Handle(Path, context => { context.Response.StatusCode = StatusCodes.Status500InternalServerError; return Task.CompletedTask; });
        var failed = await CrawlAsync(app);

        Assert.Equal((CrawlOutcome.Failed, "HTTP 500 Internal Server Error"), (failed.Outcome, failed.Detail));
        // The standard resilience handler retried three times before giving up.
        Assert.Equal(1 + 4, server.CountRequests(Path));
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
        var state = await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"));
        Assert.Equal((SourceHealth.Unhealthy, "HTTP 500 Internal Server Error", 1), (state.Health, state.LastError, state.ConsecutiveFailures));
        Assert.Equal(SnapshotOutcome.Failed, (await app.WithDbAsync(db => db.Snapshots.OrderBy(s => s.Id).LastAsync())).Outcome);

        server.Serve(Path, PageV1);
        var recovered = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Unchanged, recovered.Outcome);
        state = await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"));
        Assert.Equal((SourceHealth.Healthy, (string?)null, 0), (state.Health, state.LastError, state.ConsecutiveFailures));
    }

    [Fact]
    public async Task ASlowServerTimesOutOnTheInjectedClock()
    {
        await using var server = await PageServer.StartAsync();
        server.Handle(Path, context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var crawl = CrawlAsync(app);
        await server.WaitForRequestsAsync(Path, 1);
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        var result = await crawl;

        Assert.Equal((CrawlOutcome.Failed, "timed out after 30 s (TimeoutSeconds)"), (result.Outcome, result.Detail));
        Assert.Equal(SourceHealth.Unhealthy, (await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"))).Health);
    }

    [Fact]
    public async Task AnOversizedBodyIsCutOffAtTheCapWhileStreaming()
    {
        await using var server = await PageServer.StartAsync();
        server.Handle(Path, async context =>
        {
            // No Content-Length and no end: the cap has to be enforced on the stream itself.
            context.Response.ContentType = "text/markdown";
            var chunk = Encoding.ASCII.GetBytes(new string('x', 16 * 1024));
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
            }
        });
        await using var app = await MonitorApp.StartAsync(Settings(server, ("MaxBytes", "65536")));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Failed, result.Outcome);
        const string prefix = "response exceeds the cap of 65,536 bytes (MaxBytes); stopped reading after ";
        Assert.StartsWith(prefix, result.Detail);
        // Reading stopped within one read buffer past the cap, although the body never ends.
        var read = long.Parse(result.Detail[prefix.Length..], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(read, 65_537, 65_536 + 81_920);
        Assert.Equal(0, (await CatalogCounts.ReadAsync(app)).Observations);
    }

    [Fact]
    public async Task ADeclaredLengthOverTheCapIsNotRead()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, new string('x', 5000), "text/plain");
        await using var app = await MonitorApp.StartAsync(Settings(server, ("MaxBytes", "2048")));

        var result = await CrawlAsync(app);

        Assert.Equal("response is 5,000 bytes, over the cap of 2,048 (MaxBytes); not read", result.Detail);
    }

    [Fact]
    public async Task ARedirectLoopStopsAtTheLimit()
    {
        await using var server = await PageServer.StartAsync();
        server.Handle(Path, context => { context.Response.Redirect("/elsewhere"); return Task.CompletedTask; });
        server.Handle("/elsewhere", context => { context.Response.Redirect(Path); return Task.CompletedTask; });
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Failed, result.Outcome);
        Assert.StartsWith("more than 5 redirects (the last to ", result.Detail);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task ARedirectToAHostOutsideTheAllowListIsRefused()
    {
        await using var server = await PageServer.StartAsync();
        server.Handle(Path, context => { context.Response.Redirect($"http://localhost:{server.BaseAddress.Port}/moved"); return Task.CompletedTask; });
        server.Serve("/moved", PageV1);
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Failed, result.Outcome);
        Assert.Equal("redirect to host 'localhost' refused: not in the allowed hosts (127.0.0.1)", result.Detail);
        Assert.Equal(0, server.CountRequests("/moved"));
    }

    [Fact]
    public async Task ARedirectToAnAllowedHostIsFollowed()
    {
        await using var server = await PageServer.StartAsync();
        server.Handle(Path, context => { context.Response.Redirect($"http://localhost:{server.BaseAddress.Port}/moved"); return Task.CompletedTask; });
        server.Serve("/moved", PageV1);
        await using var app = await MonitorApp.StartAsync(Settings(server, ("AllowedHosts:0", "localhost")));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Applied, result.Outcome);
        Assert.Equal($"http://localhost:{server.BaseAddress.Port}/moved", (await app.WithDbAsync(db => db.Snapshots.SingleAsync())).Url);
    }

    [Fact]
    public async Task AResponseThatIsNotAPageIsRefusedByContentType()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, [0x89, 0x50, 0x4E, 0x47], "image/png");
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Failed, result.Outcome);
        Assert.StartsWith("content type 'image/png' is not a page", result.Detail);
    }

    [Fact]
    public async Task InvalidUtf8IsAClearErrorAndTheBytesAreKept()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("| Model |\n"), 0xC3, 0x28];
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, body, "text/markdown");
        await using var app = await MonitorApp.StartAsync(Settings(server));

        var result = await CrawlAsync(app);

        Assert.Equal("content is not valid UTF-8 (first invalid byte 0xC3 at offset 10)", result.Detail);
        Assert.Equal(body, (await app.WithDbAsync(db => db.Snapshots.SingleAsync())).Content);
    }

    [Fact]
    public async Task APageWhoseTablesVanishedMakesTheSourceUnhealthyAndLosesNoFact()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1, etag: "\"v1\"");
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        server.Serve(Path, PageWithoutTables, etag: "\"v2\"");
        var result = await CrawlAsync(app);

        Assert.Equal(CrawlOutcome.Rejected, result.Outcome);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
        Assert.Equal(new DateOnly(2027, 6, 30), (await ReconcileTests.ModelAsync(app, "cohere", "rerank-english-v2.0")).RetiresOn);
        Assert.DoesNotContain(await ReconcileTests.EventsAsync(app), e => e.Kind == ChangeKind.Vanished);
        var rejected = await app.WithDbAsync(db => db.Snapshots.OrderBy(s => s.Id).LastAsync());
        Assert.Equal((SnapshotOutcome.Rejected, PageWithoutTables), (rejected.Outcome, Encoding.UTF8.GetString(rejected.Content!)));
        var state = await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"));
        Assert.Equal(SourceHealth.Unhealthy, state.Health);
        Assert.Equal(rejected.Error, state.LastError);
        // The validators still describe the applied page, so the next run fetches the page in full again.
        Assert.Equal("\"v1\"", state.ETag);
    }

    [Fact]
    public async Task FewerThanHalfThePreviousRowsIsRejected()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve(Path, PageV1);
        await using var app = await MonitorApp.StartAsync(Settings(server));
        await CrawlAsync(app);
        var before = await CatalogCounts.ReadAsync(app);

        server.Serve(Path, string.Join('\n', PageV1.Split('\n').Where(l => !l.Contains("embed-", StringComparison.Ordinal) && !l.Contains("multilingual", StringComparison.Ordinal))));
        var result = await CrawlAsync(app);

        Assert.Equal((CrawlOutcome.Rejected, "the page yielded 1 rows, under half of the previous 4"), (result.Outcome, result.Detail));
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
    }

    [Fact]
    public async Task AGitHubFileIsReadThroughOctokitAndAnUnchangedShaSkipsTheDownload()
    {
        await using var github = await GitHubServer.StartAsync();
        github.AddFile("acme/model-docs", "docs/deprecations.md", PageV1);
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:BaseUrl"] = github.BaseAddress.ToString(),
            ["Sources:docs:Provider"] = "cohere",
            ["Sources:docs:Kind"] = "github-file",
            ["Sources:docs:Repository"] = "acme/model-docs",
            ["Sources:docs:Path"] = "docs/deprecations.md",
        });

        var first = await CrawlAsync(app, "docs");
        var before = await CatalogCounts.ReadAsync(app);
        var second = await CrawlAsync(app, "docs");

        Assert.Equal((CrawlOutcome.Applied, 4), (first.Outcome, first.Rows));
        Assert.Equal(CrawlOutcome.Unchanged, second.Outcome);
        Assert.Equal(before, await CatalogCounts.ReadAsync(app));
        Assert.Single(github.Requests, r => r.Accept.Contains("raw", StringComparison.Ordinal));
        var observation = await app.WithDbAsync(db => db.Observations.FirstAsync());
        Assert.Equal("https://github.com/acme/model-docs/blob/main/docs/deprecations.md", observation.Url);

        github.AddFile("acme/model-docs", "docs/deprecations.md", PageV2);
        var third = await CrawlAsync(app, "docs");

        Assert.Equal(CrawlOutcome.Applied, third.Outcome);
        Assert.Single(await ReconcileTests.EventsAsync(app), e => e.Kind == ChangeKind.RetirementMovedLater);
    }

    [Fact]
    public async Task AMissingGitHubFileIsAFailedFetchNamingThePath()
    {
        await using var github = await GitHubServer.StartAsync();
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:BaseUrl"] = github.BaseAddress.ToString(),
            ["Sources:docs:Provider"] = "cohere",
            ["Sources:docs:Kind"] = "github-file",
            ["Sources:docs:Repository"] = "acme/model-docs",
            ["Sources:docs:Path"] = "docs/gone.md",
        });

        var result = await CrawlAsync(app, "docs");

        Assert.Equal(CrawlOutcome.Failed, result.Outcome);
        Assert.Equal("GitHub has no file 'docs/gone.md' at 'main' in acme/model-docs (404); check Repository, Path and Ref", result.Detail);
    }

    [Fact]
    public async Task AnImportedFileIsReconciledAsIfFetchedAndRecordsWhereItCameFrom()
    {
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"monitor-import-{Guid.NewGuid():N}.md");
        await File.WriteAllTextAsync(file, PageV1);
        try
        {
            await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
            {
                ["Sources:sample:Provider"] = "cohere",
                ["Sources:sample:Url"] = "http://127.0.0.1:9/never-fetched",
            });

            var result = await CrawlAsync(app, "sample", file);

            Assert.Equal(CrawlOutcome.Applied, result.Outcome);
            var snapshot = await app.WithDbAsync(db => db.Snapshots.SingleAsync());
            Assert.Equal(new Uri(file).AbsoluteUri, snapshot.Url);
            Assert.Null((await app.WithDbAsync(db => db.Sources.SingleAsync(s => s.Name == "sample"))).ETag);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static Dictionary<string, string?> Settings(PageServer server, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:sample:Provider"] = "cohere",
            ["Sources:sample:Kind"] = "page",
            ["Sources:sample:Url"] = server.Url(Path),
            // Retries are the resilience handler's business; here they should not wait.
            ["Fetching:Resilience:Retry:Delay"] = "00:00:00",
        };
        foreach (var (key, value) in extra)
            settings[$"Sources:sample:{key}"] = value;
        return settings;
    }

    internal static async Task<CrawlResult> CrawlAsync(MonitorApp app, string source = "sample", string? file = null)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<Crawler>().CrawlAsync(source, file);
    }
}

/// Row counts of every catalog table: "no catalog writes" means these do not move.
internal sealed record CatalogCounts(int Observations, int Statements, int Models, int Events, int Aliases, int Providers, string LatestUpdate)
{
    public static Task<CatalogCounts> ReadAsync(MonitorApp app) => app.WithDbAsync(async db => new CatalogCounts(
        await db.Observations.CountAsync(),
        await db.SourceStatements.CountAsync(),
        await db.ModelVersions.CountAsync(),
        await db.ChangeEvents.CountAsync(),
        await db.ModelAliases.CountAsync(),
        await db.Providers.CountAsync(),
        (await db.ModelVersions.MaxAsync(m => (DateTimeOffset?)m.UpdatedAt))?.ToString("O") ?? ""));
}

/// The two source kinds that are not a provider's own page extractor: a declarative table and OpenAI's models API.
public sealed class OtherSourceKindTests
{
    [Fact]
    public async Task ADeclarativeSourceReadsATableByItsHeadingAndColumnMap()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/lifecycle", """
            # Acme models

            ## Retiring models

            | Model name | Ends on | Use instead |
            |---|---|---|
            | `acme-large-1` | 2027-05-01 | `acme-large-2` |
            | `acme-small-1` | 2027-08-15 | `acme-small-2` |
            """);
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:acme:Provider"] = "acme",
            ["Sources:acme:Kind"] = "declarative",
            ["Sources:acme:Url"] = server.Url("/lifecycle"),
            ["Sources:acme:Table:Heading"] = "Retiring models",
            ["Sources:acme:Table:DefaultStatus"] = "Deprecated",
            ["Sources:acme:Table:Columns:Model:Header"] = "Model",
            ["Sources:acme:Table:Columns:RetiresOn:Header"] = "Ends on",
            ["Sources:acme:Table:Columns:Replacement:Header"] = "Use instead",
        });

        var result = await CrawlTests.CrawlAsync(app, "acme");

        Assert.Equal((CrawlOutcome.Applied, 2), (result.Outcome, result.Rows));
        var model = await ReconcileTests.ModelAsync(app, "acme", "acme-large-1");
        Assert.Equal((new DateOnly(2027, 5, 1), "acme-large-2"), (model.RetiresOn, Assert.Single(model.Replacements)));
    }

    [Fact]
    public async Task TheOpenAiModelsApiIsReadWithTheKeyFromTheNamedVariableAndRanksBelowThePage()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/v1/models", """
            {"object": "list", "data": [
              {"id": "gpt-4-0613", "object": "model", "created": 1686588896, "owned_by": "openai", "shutdown_date": "2027-01-15"},
              {"id": "gpt-4o-2024-08-06", "object": "model", "created": 1722814719, "owned_by": "system"}
            ]}
            """, "application/json");
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:openai-api:Url"] = server.Url("/v1/models"),
            ["TEST_OPENAI_KEY"] = "sk-test-123",
            ["Sources:openai-api:ApiKeyVariable"] = "TEST_OPENAI_KEY",
        });
        await ReconcileTests.ReconcileAsync(app, "openai", new ModelMonitor.Sources.Extraction.Observation
        {
            Provider = "openai", Model = "gpt-4-0613", Status = ModelMonitor.Catalog.LifecycleStatus.Deprecated, RetiresOn = new DateOnly(2027, 6, 6),
        });

        var result = await CrawlTests.CrawlAsync(app, "openai-api");

        Assert.Equal((CrawlOutcome.Applied, 2), (result.Outcome, result.Rows));
        Assert.Equal("Bearer sk-test-123", server.Requests[0].Authorization);
        // The page's date stands; the API's is kept as a conflicting statement.
        var gpt4 = await ReconcileTests.ModelAsync(app, "openai", "gpt-4-0613");
        Assert.Equal((new DateOnly(2027, 6, 6), "openai"), (gpt4.RetiresOn, gpt4.RetiresOnSource));
        var added = await ReconcileTests.ModelAsync(app, "openai", "gpt-4o-2024-08-06");
        Assert.Equal((ModelMonitor.Catalog.LifecycleStatus.Active, new DateOnly(2024, 8, 4), "openai-api"), (added.Status, added.ReleasedOn, added.CurrentSource));
        Assert.Equal(1, await app.WithDbAsync(db => db.SourceStatements.CountAsync(s => s.SourceName == "openai-api" && s.RetiresOn == new DateOnly(2027, 1, 15))));
    }

    [Fact]
    public async Task TheBedrockModelsApiIsReadWithASignedRequestAndRanksBelowThePage()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/foundation-models", """
            {"modelSummaries": [
              {"modelId": "anthropic.claude-3-sonnet-20240229-v1:0", "providerName": "Anthropic",
               "modelLifecycle": {"status": "LEGACY", "legacyTime": 1745827200, "endOfLifeTime": 1772323200}},
              {"modelId": "amazon.nova-pro-v1:0", "providerName": "Amazon", "modelLifecycle": {"status": "ACTIVE", "startOfLifeTime": 1733097600}}
            ]}
            """, "application/json");
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:bedrock-api:Url"] = server.Url("/foundation-models"),
            ["Sources:bedrock-api:Region"] = "eu-west-1",
            ["AWS_ACCESS_KEY_ID"] = "AKIDTEST",
            ["AWS_SECRET_ACCESS_KEY"] = "test-secret-key",
        });
        await ReconcileTests.ReconcileAsync(app, "aws-bedrock", new ModelMonitor.Sources.Extraction.Observation
        {
            Provider = "aws-bedrock", Platform = "aws-bedrock", Model = "anthropic.claude-3-sonnet-20240229-v1:0",
            Status = ModelMonitor.Catalog.LifecycleStatus.Legacy, RetiresOn = new DateOnly(2026, 3, 15),
        });

        var result = await CrawlTests.CrawlAsync(app, "bedrock-api");

        Assert.Equal((CrawlOutcome.Applied, 2), (result.Outcome, result.Rows));
        // The signature is the one of the request the server received: its Host (with the port), path and x-amz-date.
        var received = server.Requests.Single(r => r.Path == "/foundation-models");
        var amzDate = received.Headers["x-amz-date"];
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture), amzDate);
        using var expected = new HttpRequestMessage(HttpMethod.Get, $"http://{received.Headers["Host"]}{received.Path}");
        ModelMonitor.Sources.Fetching.AwsSigV4.Sign(expected, new(new("AKIDTEST", "test-secret-key", null), "eu-west-1", "bedrock"), app.Clock.GetUtcNow());
        Assert.Equal(Assert.Single(expected.Headers.GetValues("Authorization")), received.Authorization);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDTEST/{amzDate[..8]}/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=", received.Authorization, StringComparison.Ordinal);
        // The page's date stands; the API's is kept as a conflicting statement.
        var sonnet = await ReconcileTests.ModelAsync(app, "aws-bedrock", "anthropic.claude-3-sonnet-20240229-v1:0");
        Assert.Equal((new DateOnly(2026, 3, 15), "aws-bedrock"), (sonnet.RetiresOn, sonnet.RetiresOnSource));
        Assert.Equal(1, await app.WithDbAsync(db => db.SourceStatements.CountAsync(s => s.SourceName == "bedrock-api" && s.RetiresOn == new DateOnly(2026, 3, 1))));
        var nova = await ReconcileTests.ModelAsync(app, "aws-bedrock", "amazon.nova-pro-v1:0");
        Assert.Equal((ModelMonitor.Catalog.LifecycleStatus.Active, new DateOnly(2024, 12, 2), "bedrock-api"), (nova.Status, nova.ReleasedOn, nova.CurrentSource));
    }

    [Fact]
    public async Task TheBedrockModelsApiWithoutCredentialsIsInactiveAndFailsClearlyWhenAskedFor()
    {
        await using var app = await MonitorApp.StartAsync();

        var result = await CrawlTests.CrawlAsync(app, "bedrock-api");

        Assert.Equal((CrawlOutcome.Failed, "no AWS credentials: set the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)"),
            (result.Outcome, result.Detail));
        var source = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources["bedrock-api"];
        Assert.False(source.IsActive(app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
    }

    [Fact]
    public async Task TheOpenAiModelsApiWithoutAKeyIsInactiveAndFailsClearlyWhenAskedFor()
    {
        await using var app = await MonitorApp.StartAsync();

        var result = await CrawlTests.CrawlAsync(app, "openai-api");

        Assert.Equal((CrawlOutcome.Failed, "no API key: set the environment variable OPENAI_API_KEY"), (result.Outcome, result.Detail));
    }
}
