using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Pins;
using ModelMonitor.Tests.Fixtures;
using Npgsql;
using Quartz;

namespace ModelMonitor.Tests.Pins;

/// The manifest sync against a local GitHub API server, through Octokit, on a real database.
public sealed class ManifestSyncTests : IAsyncLifetime
{
    private const string Repository = "corp/checkout";
    private const string Path = ".monitor/pins.yaml";

    private const string Good = """
        app: checkout
        description: Checkout assistant
        pins:
          - provider: openai
            model: gpt-4o-2024-05-13
            environment: production
        """;

    private const string Changed = """
        pins:
          - provider: openai
            model: gpt-4o-2024-08-06
            environment: production
          - provider: anthropic
            model: claude-3-5-sonnet-latest
        """;

    private GitHubServer _github = null!;
    private MonitorApp _app = null!;
    private HttpClient _client = null!;
    private string _team = null!;

    public async Task InitializeAsync()
    {
        _github = await GitHubServer.StartAsync();
        _app = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = PinsFixture.AdminToken,
            ["GitHub:BaseUrl"] = _github.BaseAddress.ToString(),
        }, "manifest");
        await PinsFixture.SeedCatalogAsync(_app);
        _client = _app.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", PinsFixture.AdminToken);
        _team = "payments";
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/teams", new { name = _team, emails = new[] { "ml@corp.example" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsJsonAsync($"/api/teams/{_team}/apps/checkout",
            new { repository = Repository, pins = new[] { new { provider = "openai", model = "gpt-4-0613" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsJsonAsync($"/api/teams/{_team}/apps/no-repo",
            new { pins = new[] { new { provider = "openai", model = "gpt-4-0613" } } })).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _github.DisposeAsync();
    }

    private async Task<ManifestSync.Summary> SyncAsync()
    {
        await using var scope = _app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ManifestSync>().SyncAllAsync(CancellationToken.None);
    }

    private Task<JsonElement> AppAsync() => _client.GetFromJsonAsync<JsonElement>($"/api/teams/{_team}/apps/checkout");

    private static string[] Models(JsonElement app) => app.GetProperty("pins").EnumerateArray().Select(p => p.GetProperty("model").GetString()!).ToArray();

    [Fact]
    public async Task AChangedManifestReplacesThePinsAndRecordsItsSha()
    {
        _github.AddFile(Repository, Path, Good);
        var first = await SyncAsync();
        var afterFirst = await AppAsync();
        _github.AddFile(Repository, Path, Changed);
        var second = await SyncAsync();
        var afterSecond = await AppAsync();

        Assert.Equal(new ManifestSync.Summary(1, 0, 1, 0), first);
        Assert.Equal(["gpt-4o-2024-05-13"], Models(afterFirst));
        Assert.Equal("Checkout assistant", afterFirst.GetProperty("description").GetString());
        var manifest = afterFirst.GetProperty("manifest");
        Assert.Equal(GitHubServer.BlobSha(Encoding.UTF8.GetBytes(Good)), manifest.GetProperty("sha").GetString());
        Assert.Equal(JsonValueKind.Null, manifest.GetProperty("error").ValueKind);
        Assert.Equal(_app.Clock.GetUtcNow(), manifest.GetProperty("syncedAt").GetDateTimeOffset());
        Assert.Equal(new ManifestSync.Summary(1, 0, 1, 0), second);
        Assert.Equal(["gpt-4o-2024-08-06", "claude-3-5-sonnet-latest"], Models(afterSecond));
        Assert.Equal("claude-3-5-sonnet-20241022", afterSecond.GetProperty("pins")[1].GetProperty("resolution").GetProperty("resolvedModel").GetString());
        // Only apps with a repository are read, and only their manifest path.
        Assert.All(_github.Requests, r => Assert.Equal($"/repos/{Repository}/contents/{Path}", r.Path));
    }

    [Fact]
    public async Task AnUnchangedManifestCostsOneCallAndNoDatabaseWrite()
    {
        _github.AddFile(Repository, Path, Good);
        await SyncAsync();
        var before = await RowVersionsAsync();
        var requests = _github.Requests.Count;

        var summary = await SyncAsync();

        Assert.Equal(new ManifestSync.Summary(1, 1, 0, 0), summary);
        Assert.Equal(requests + 1, _github.Requests.Count);
        Assert.Equal(before, await RowVersionsAsync());
    }

    [Fact]
    public async Task AMalformedManifestKeepsTheLastGoodPinsAndShowsTheErrorOnTheApp()
    {
        _github.AddFile(Repository, Path, Good);
        await SyncAsync();
        _github.AddFile(Repository, Path, "pins:\n  - provider: openai\n    modle: gpt-4o\n");

        var summary = await SyncAsync();
        var app = await AppAsync();
        var before = await RowVersionsAsync();
        var again = await SyncAsync();

        Assert.Equal(new ManifestSync.Summary(1, 0, 0, 1), summary);
        Assert.Equal(["gpt-4o-2024-05-13"], Models(app));
        Assert.Equal("'.monitor/pins.yaml' in corp/checkout: line 3: pins[0].modle is not a known field (known: provider, model, version, platform, region, environment, monthlyInputTokens, monthlyOutputTokens).",
            app.GetProperty("manifest").GetProperty("error").GetString());
        var list = await _client.GetFromJsonAsync<JsonElement>($"/api/teams/{_team}/apps");
        Assert.StartsWith("'.monitor/pins.yaml' in corp/checkout: line 3", list.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "checkout").GetProperty("manifestError").GetString());
        // The same malformed file again: still an error, and nothing written.
        Assert.Equal(new ManifestSync.Summary(1, 0, 0, 1), again);
        Assert.Equal(before, await RowVersionsAsync());
    }

    [Fact]
    public async Task AMissingManifestIsAnErrorOnTheAppUntilItComesBack()
    {
        _github.AddFile(Repository, Path, Good);
        await SyncAsync();
        _github.RemoveFile(Repository, Path);

        var missing = await SyncAsync();
        var whileMissing = await AppAsync();
        _github.AddFile(Repository, Path, Good);
        var back = await SyncAsync();
        var afterReturn = await AppAsync();

        Assert.Equal(new ManifestSync.Summary(1, 0, 0, 1), missing);
        Assert.Equal(["gpt-4o-2024-05-13"], Models(whileMissing));
        Assert.StartsWith("no manifest: '.monitor/pins.yaml' in corp/checkout was not found (404)", whileMissing.GetProperty("manifest").GetProperty("error").GetString());
        Assert.Equal(new ManifestSync.Summary(1, 0, 1, 0), back);
        Assert.Equal(JsonValueKind.Null, afterReturn.GetProperty("manifest").GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task AManifestForAnotherAppIsAnError()
    {
        _github.AddFile(Repository, Path, Good.Replace("app: checkout", "app: billing", StringComparison.Ordinal));

        await SyncAsync();
        var app = await AppAsync();

        Assert.Equal(["gpt-4-0613"], Models(app));
        Assert.Contains("names app 'billing', but it is configured for app 'checkout'", app.GetProperty("manifest").GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnAppsOwnManifestPathIsRead()
    {
        await _client.PutAsJsonAsync($"/api/teams/{_team}/apps/checkout", new { repository = Repository, manifestPath = "deploy/monitor-pins.yml", pins = Array.Empty<object>() });
        _github.AddFile(Repository, "deploy/monitor-pins.yml", Good);

        await SyncAsync();

        Assert.Equal(["gpt-4o-2024-05-13"], Models(await AppAsync()));
    }

    [Fact]
    public async Task TheScheduledJobRunsTheSync()
    {
        _github.AddFile(Repository, Path, Good);
        await using var scheduled = new MonitorApp(_app.ConnectionString, new Dictionary<string, string?>
        {
            ["Scheduling:Enabled"] = "true",
            ["GitHub:BaseUrl"] = _github.BaseAddress.ToString(),
        });
        _ = scheduled.Server;
        var scheduler = await scheduled.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var trigger = await scheduler.GetTrigger(new TriggerKey("manifest-sync", "monitor"));

        await scheduler.TriggerJob(new JobKey("manifest-sync", "monitor"));
        await _github.WaitForRequestsAsync(1);
        var applied = await WaitForAsync(async () => Models(await AppAsync()).SequenceEqual(["gpt-4o-2024-05-13"]));

        Assert.Equal("0 10/30 * * * ?", Assert.IsType<ICronTrigger>(trigger, exactMatch: false).CronExpressionString);
        Assert.True(applied);
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    // Every row's physical version in the tables a sync can write: any UPDATE, DELETE or INSERT changes this.
    private async Task<string> RowVersionsAsync()
    {
        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT string_agg(id || ':' || xmin || ':' || ctid, ',' ORDER BY id) FROM apps)
                || ' | ' || (SELECT coalesce(string_agg(id || ':' || xmin || ':' || ctid, ',' ORDER BY id), '') FROM pins)
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
