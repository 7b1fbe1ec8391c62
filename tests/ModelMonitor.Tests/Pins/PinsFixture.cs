using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelMonitor.Catalog;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Pins;

/// One host and database per test class, with an admin token and a small catalog of my own facts
/// (real model ids, dates chosen for the tests). The clock stands at 2026-11-28.
public sealed class PinsFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-for-tests-0123456789abcdef";
    private static int _teams;

    public MonitorApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await MonitorApp.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = AdminToken,
            ["Auth:FailedAttemptsPerMinute"] = "1000",
        }, "pins");
        await SeedCatalogAsync(App);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    public HttpClient Client(string? token = null)
    {
        var client = App.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Admin() => Client(AdminToken);

    public static string UniqueName(string stem) => $"{stem}-{Interlocked.Increment(ref _teams)}";

    /// Creates a team through the API and returns its name and token.
    public async Task<(string Name, string Token)> CreateTeamAsync(string stem = "team")
    {
        var name = UniqueName(stem);
        var response = await Admin().PostAsJsonAsync("/api/teams", new { name, emails = new[] { $"{name}@corp.example" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (name, body.RootElement.GetProperty("token").GetString()!);
    }

    public static readonly DateTimeOffset LongAgo = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task SeedCatalogAsync(MonitorApp app) =>
        await app.WithDbAsync(async db =>
        {
            db.ModelVersions.AddRange(
                Version("openai", "gpt-4o-2024-05-13", LifecycleStatus.Deprecated, new DateOnly(2026, 12, 15), estimate: false, "gpt-4o-2024-08-06"),
                Version("openai", "gpt-4o-2024-08-06", LifecycleStatus.Active),
                Version("openai", "gpt-4o-2024-11-20", LifecycleStatus.Active),
                Version("openai", "gpt-4o-mini-2024-07-18", LifecycleStatus.Active),
                Version("openai", "gpt-4-0613", LifecycleStatus.Deprecated, new DateOnly(2025, 6, 6), estimate: false, "gpt-4o"),
                Version("anthropic", "claude-3-5-sonnet-20241022", LifecycleStatus.Deprecated, new DateOnly(2027, 2, 1), estimate: true, "claude-sonnet-4-5"),
                Version("anthropic", "claude-3-5-sonnet-20240620", LifecycleStatus.Retired, new DateOnly(2025, 10, 22), estimate: false, "claude-sonnet-4-5"),
                Version("anthropic", "claude-sonnet-4-5", LifecycleStatus.Active),
                Version("azure-openai", "gpt-4o", LifecycleStatus.Deprecated, new DateOnly(2027, 3, 31), estimate: false, "gpt-4.1", version: "2024-05-13"),
                Version("azure-openai", "gpt-4o", LifecycleStatus.Active, version: "2024-08-06"),
                Version("azure-openai", "gpt-4o", LifecycleStatus.Active, version: "2024-11-20"),
                Version("aws-bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", LifecycleStatus.Deprecated, new DateOnly(2027, 1, 15), estimate: false, "anthropic.claude-sonnet-4-5-20250929-v1:0"));
            db.ModelAliases.AddRange(
                new ModelAlias { Provider = "openai", Alias = "gpt-4o", Target = "gpt-4o-2024-08-06", ValidFrom = new DateTimeOffset(2024, 10, 2, 0, 0, 0, TimeSpan.Zero) },
                new ModelAlias { Provider = "anthropic", Alias = "claude-3-5-sonnet-latest", Target = "claude-3-5-sonnet-20241022", ValidFrom = LongAgo });
            await db.SaveChangesAsync();
            return 0;
        });

    public static ModelVersion Version(string provider, string model, LifecycleStatus status, DateOnly? retiresOn = null, bool estimate = false,
        string? replacement = null, string version = "") =>
        new()
        {
            Provider = provider,
            Model = model,
            Version = version,
            Status = status,
            RetiresOn = retiresOn,
            RetiresOnIsEstimate = estimate,
            Replacements = replacement is null ? [] : [replacement],
            FirstSeenAt = LongAgo,
            UpdatedAt = LongAgo,
        };
}
