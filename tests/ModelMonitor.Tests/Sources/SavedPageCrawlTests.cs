using System.Text;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Catalog;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources;

/// The saved copies of the real pages, served over loopback with ETags and crawled end to end.
public sealed class SavedPageCrawlTests
{
    public static TheoryData<string, string> Pages => new()
    {
        { "openai", "openai/deprecations.2024-06.md" },
        { "openai", "openai/deprecations.2025-11.html" },
        { "anthropic", "anthropic/model-deprecations.2025-06.md" },
        { "anthropic", "anthropic/model-deprecations.2025-12.md" },
        { "google-vertex", "google/vertex-model-versions.2025-05.md" },
        { "google-vertex", "google/vertex-model-versions.2026-07.md" },
        { "azure-openai", "azure-openai/model-retirements.2024-03.md" },
        { "azure-openai", "azure-openai/model-retirements.2025-01.md" },
        { "azure-openai", "azure-openai/retirement-models-include.2025-06.md" },
        { "azure-openai", "azure-openai/retirement-models-include.2025-12.md" },
        { "aws-bedrock", "aws-bedrock/model-lifecycle.2025-11.html" },
        { "mistral", "mistral/models-overview.2024-09.md" },
        { "mistral", "mistral/models-overview.2025-01.md" },
        { "mistral", "mistral/models-overview.2025-06.md" },
        { "cohere", "cohere/deprecations.2024-12-01.mdx" },
        { "cohere", "cohere/deprecations.2025-04-10.mdx" },
        { "cohere", "cohere/deprecations.2025-04-29.mdx" },
        { "cohere", "cohere/deprecations.2025-09-16.mdx" },
        { "litellm", "litellm/model_prices_and_context_window.2025-02-06.json" },
        { "litellm", "litellm/model_prices_and_context_window.2025-10-16.json" },
    };

    [SavedPageTheory]
    [MemberData(nameof(Pages))]
    public async Task EverySavedPageIsAppliedOnceAndThenAnsweredNotModified(string provider, string page)
    {
        var bytes = SavedPages.ReadBytes(page);
        await using var server = await PageServer.StartAsync();
        server.Serve("/page", bytes, ContentType(page), etag: "\"saved\"");
        await using var app = await MonitorApp.StartAsync(Settings(server, provider));

        var first = await CrawlTests.CrawlAsync(app, "saved");
        var after = await CatalogCounts.ReadAsync(app);
        var second = await CrawlTests.CrawlAsync(app, "saved");

        Assert.Equal(CrawlOutcome.Applied, first.Outcome);
        // Every distinct model version the extractor reads from these bytes is in the catalog.
        var expected = Extractors.Create(provider)!.Extract(Encoding.UTF8.GetString(bytes))
            .Select(o => (Provider: o.Platform ?? o.Provider, o.Model, Version: o.Version ?? ""))
            .Distinct()
            .ToHashSet();
        var stored = (await app.WithDbAsync(db => db.ModelVersions.Select(m => new { m.Provider, m.Model, m.Version }).ToListAsync()))
            .Select(m => (m.Provider, m.Model, m.Version))
            .ToHashSet();
        Assert.Equal(expected.Order(), stored.Order());
        Assert.Equal(CrawlOutcome.Unchanged, second.Outcome);
        Assert.Equal("\"saved\"", server.Requests[^1].IfNoneMatch);
        Assert.Equal(after, await CatalogCounts.ReadAsync(app));
    }

    [SavedPageFact]
    public async Task CohereRerankEnglishV2ShutdownMovedFromMarch31ToApril30()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/page", SavedPages.ReadBytes("cohere/deprecations.2025-04-10.mdx"), "text/markdown", etag: "\"2025-04-10\"");
        await using var app = await MonitorApp.StartAsync(Settings(server, "cohere"));
        Assert.Equal(CrawlOutcome.Applied, (await CrawlTests.CrawlAsync(app, "saved")).Outcome);

        server.Serve("/page", SavedPages.ReadBytes("cohere/deprecations.2025-04-29.mdx"), "text/markdown", etag: "\"2025-04-29\"");
        var result = await CrawlTests.CrawlAsync(app, "saved");

        Assert.Equal(CrawlOutcome.Applied, result.Outcome);
        var events = await ReconcileTests.EventsAsync(app);
        var moved = Assert.Single(events, e => e.Kind == ChangeKind.RetirementMovedLater && e.Model == "rerank-english-v2.0");
        Assert.Equal(("cohere", "2025-03-31", "2025-04-30", result.SnapshotId), (moved.Provider, moved.OldValue, moved.NewValue, moved.SnapshotId));
        Assert.DoesNotContain(events, e => e.Kind == ChangeKind.RetirementMovedEarlier && e.Model == "rerank-english-v2.0");
        Assert.Equal(new DateOnly(2025, 4, 30), (await ReconcileTests.ModelAsync(app, "cohere", "rerank-english-v2.0")).RetiresOn);
    }

    private static Dictionary<string, string?> Settings(PageServer server, string provider) => new()
    {
        ["Sources:saved:Provider"] = provider,
        ["Sources:saved:Kind"] = "page",
        ["Sources:saved:Url"] = server.Url("/page"),
        ["Sources:saved:MaxBytes"] = (20 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string ContentType(string page) => Path.GetExtension(page) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".json" => "application/json",
        _ => "text/markdown; charset=utf-8",
    };
}
