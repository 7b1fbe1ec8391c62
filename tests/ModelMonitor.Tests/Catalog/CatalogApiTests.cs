using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Sources;

namespace ModelMonitor.Tests.Catalog;

public sealed class CatalogApiTests
{
    private static Observation Page(string model, DateOnly? retiresOn, LifecycleStatus status = LifecycleStatus.Deprecated, string[]? aliases = null) => new()
    {
        Provider = "openai",
        Model = model,
        Status = status,
        RetiresOn = retiresOn,
        Replacements = ["gpt-4o"],
        Aliases = aliases ?? [],
        Section = "2024-06-06: GPT-4",
        Evidence = $"{model} | {retiresOn:yyyy-MM-dd} | gpt-4o",
    };

    [Fact]
    public async Task TheCatalogApiNeedsAToken()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());

        var anonymous = await app.CreateClient().GetAsync("/api/models");
        var wrong = await app.CreateClient("mon_not-a-real-token").GetAsync("/api/sources");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task ModelsAreListedAndFilteredByProviderStatusAndRetirementDate()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        await ReconcileTests.ReconcileAsync(app, "openai",
            Page("gpt-4-0613", new DateOnly(2027, 6, 6)),
            Page("gpt-4-0314", new DateOnly(2027, 1, 15)),
            Page("gpt-4o-2024-08-06", null, LifecycleStatus.Active));
        await ReconcileTests.ReconcileAsync(app, "cohere", new Observation { Provider = "cohere", Model = "command-r", Status = LifecycleStatus.Deprecated, RetiresOn = new DateOnly(2027, 2, 1) });
        var client = app.CreateAdminClient();

        Assert.Equal(["command-r", "gpt-4-0314", "gpt-4-0613", "gpt-4o-2024-08-06"], await ModelsAsync(client, "/api/models"));
        Assert.Equal(["gpt-4-0314", "gpt-4-0613", "gpt-4o-2024-08-06"], await ModelsAsync(client, "/api/models?provider=openai"));
        Assert.Equal(["gpt-4o-2024-08-06"], await ModelsAsync(client, "/api/models?status=active"));
        Assert.Equal(["command-r", "gpt-4-0314"], await ModelsAsync(client, "/api/models?retiringBefore=2027-03-01"));
        Assert.Equal(["gpt-4-0314"], await ModelsAsync(client, "/api/models?provider=openai&status=deprecated&retiringBefore=2027-03-01"));

        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/models?provider=openai&retiringBefore=2027-03-01"));
        var model = body.RootElement[0];
        Assert.Equal("2027-01-15", model.GetProperty("retiresOn").GetString());
        Assert.Equal("deprecated", model.GetProperty("status").GetString());
        Assert.Equal("day", model.GetProperty("retiresOnPrecision").GetString());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task AnUnknownStatusIsABadRequestWithProblemDetails()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());

        var response = await app.CreateAdminClient().GetAsync("/api/models?status=sunset");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("status must be one of preview, active, deprecated, legacy, retired, not 'sunset'.", body.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AModelShowsWhatEachSourceSaysTheConflictAliasesHistoryAndChanges()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        await ReconcileTests.ReconcileAsync(app, "openai", Page("gpt-4o-2024-05-13", new DateOnly(2027, 6, 6), aliases: ["gpt-4o"]));
        app.Clock.Advance(TimeSpan.FromDays(1));
        await ReconcileTests.ReconcileAsync(app, "openai", Page("gpt-4o-2024-05-13", new DateOnly(2027, 3, 1), aliases: ["gpt-4o"]));
        app.Clock.Advance(TimeSpan.FromDays(1));
        await ReconcileTests.ReconcileAsync(app, "litellm", SourceAuthority.Registry, ReconcileTests.Registry("gpt-4o-2024-05-13", new DateOnly(2027, 1, 1), 128000, 2.5m));

        using var body = JsonDocument.Parse(await app.CreateAdminClient().GetStringAsync("/api/models/openai/gpt-4o-2024-05-13"));
        var root = body.RootElement;

        var current = root.GetProperty("current");
        Assert.Equal(("2027-03-01", "openai", 128000), (current.GetProperty("retiresOn").GetString(), current.GetProperty("retiresOnSource").GetString(), current.GetProperty("contextWindow").GetInt32()));
        Assert.Equal(["openai", "litellm"], root.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("source").GetString()));
        var conflict = Assert.Single(root.GetProperty("conflicts").EnumerateArray(), c => c.GetProperty("field").GetString() == "retiresOn");
        Assert.Equal(
            [("openai", "provider-page", "2027-03-01"), ("litellm", "registry", "2027-01-01")],
            conflict.GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("source").GetString(), v.GetProperty("authority").GetString(), v.GetProperty("value").GetString())));
        var alias = Assert.Single(root.GetProperty("aliases").EnumerateArray());
        Assert.Equal(("gpt-4o", "gpt-4o-2024-05-13"), (alias.GetProperty("alias").GetString(), alias.GetProperty("target").GetString()));
        var history = root.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(3, history.Count);
        Assert.Equal(("litellm", "registry", "https://example.test/litellm"),
            (history[0].GetProperty("source").GetString(), history[0].GetProperty("authority").GetString(), history[0].GetProperty("url").GetString()));
        Assert.Equal("2024-06-06: GPT-4", history[^1].GetProperty("section").GetString());
        Assert.Equal("gpt-4o-2024-05-13 | 2027-06-06 | gpt-4o", history[^1].GetProperty("evidence").GetString());
        Assert.Contains(root.GetProperty("changes").EnumerateArray(), c => c.GetProperty("kind").GetString() == "retirement-moved-earlier"
            && c.GetProperty("oldValue").GetString() == "2027-06-06" && c.GetProperty("newValue").GetString() == "2027-03-01");
    }

    [Fact]
    public async Task AnUnknownModelIsNotFoundWithProblemDetails()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());

        var response = await app.CreateAdminClient().GetAsync("/api/models/openai/gpt-9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("The catalog has no model 'gpt-9' for provider 'openai'.", body.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnAzureModelWithSeveralVersionsIsChosenByVersion()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        await ReconcileTests.ReconcileAsync(app, "azure-openai",
            new Observation { Provider = "azure-openai", Model = "gpt-4o", Version = "2024-05-13", RetiresOn = new DateOnly(2027, 3, 1) },
            new Observation { Provider = "azure-openai", Model = "gpt-4o", Version = "2024-11-20", RetiresOn = new DateOnly(2027, 10, 1) });
        var client = app.CreateAdminClient();

        var ambiguous = await client.GetAsync("/api/models/azure-openai/gpt-4o");
        using var chosen = JsonDocument.Parse(await client.GetStringAsync("/api/models/azure-openai/gpt-4o?version=2024-11-20"));

        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        Assert.Contains("several versions (2024-05-13, 2024-11-20); add ?version=", await ambiguous.Content.ReadAsStringAsync());
        Assert.Equal(("2024-11-20", "2027-10-01"),
            (chosen.RootElement.GetProperty("current").GetProperty("version").GetString(), chosen.RootElement.GetProperty("current").GetProperty("retiresOn").GetString()));
    }

    [Fact]
    public async Task ChangesAreListedSinceAnInstant()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        await ReconcileTests.ReconcileAsync(app, "openai", Page("gpt-4-0613", new DateOnly(2027, 6, 6)));
        app.Clock.Advance(TimeSpan.FromDays(3));
        var since = app.Clock.GetUtcNow();
        await ReconcileTests.ReconcileAsync(app, "openai", Page("gpt-4-0613", new DateOnly(2027, 9, 1)));
        var client = app.CreateAdminClient();

        using var recent = JsonDocument.Parse(await client.GetStringAsync($"/api/changes?since={Uri.EscapeDataString(since.ToString("O"))}"));
        using var all = JsonDocument.Parse(await client.GetStringAsync("/api/changes?since=2026-01-01"));
        var bad = await client.GetAsync("/api/changes?since=last-tuesday");

        var change = Assert.Single(recent.RootElement.EnumerateArray());
        Assert.Equal(("retirement-moved-later", "gpt-4-0613", "2027-06-06", "2027-09-01"),
            (change.GetProperty("kind").GetString(), change.GetProperty("model").GetString(), change.GetProperty("oldValue").GetString(), change.GetProperty("newValue").GetString()));
        Assert.Equal(4, all.RootElement.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task SourcesShowHealthLastFetchRowsAndLastError()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/docs/deprecations", CrawlTests.PageV1);
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken(CrawlTests.Settings(server)));
        await CrawlTests.CrawlAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(6));
        server.Handle("/docs/deprecations", context => { context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; return Task.CompletedTask; });
        await CrawlTests.CrawlAsync(app);

        using var body = JsonDocument.Parse(await app.CreateAdminClient().GetStringAsync("/api/sources"));

        var sample = Assert.Single(body.RootElement.EnumerateArray(), s => s.GetProperty("name").GetString() == "sample");
        Assert.Equal("unhealthy", sample.GetProperty("health").GetString());
        Assert.Equal("HTTP 503 Service Unavailable", sample.GetProperty("lastError").GetString());
        Assert.Equal(4, sample.GetProperty("rows").GetInt32());
        Assert.Equal(app.Clock.GetUtcNow(), sample.GetProperty("lastFetchAt").GetDateTimeOffset());
        Assert.Equal(app.Clock.GetUtcNow().AddHours(-6), sample.GetProperty("lastSuccessAt").GetDateTimeOffset());
        // The shipped sources are listed too: never crawled here, and the key-less API source inactive.
        var openAiApi = Assert.Single(body.RootElement.EnumerateArray(), s => s.GetProperty("name").GetString() == "openai-api");
        Assert.Equal(("unknown", false), (openAiApi.GetProperty("health").GetString(), openAiApi.GetProperty("active").GetBoolean()));
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheCatalogEndpoints()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());

        using var body = JsonDocument.Parse(await app.CreateAdminClient().GetStringAsync("/openapi/v1.json"));

        var paths = body.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/models", "/api/models/{provider}/{model}", "/api/changes", "/api/sources" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        Assert.Equal("GetModel", paths.GetProperty("/api/models/{provider}/{model}").GetProperty("get").GetProperty("operationId").GetString());
    }

    private static async Task<List<string?>> ModelsAsync(HttpClient client, string url)
    {
        using var body = JsonDocument.Parse(await client.GetStringAsync(url));
        return body.RootElement.EnumerateArray().Select(m => m.GetProperty("model").GetString()).ToList();
    }
}
