using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Regression;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Regression;

/// The regression feature on a plain service collection, with endpoints pointing at a loopback FakeLlmServer:
/// `fake` (OpenAI wire format) and `claude` (Anthropic). Retries back off by a millisecond unless a test
/// brings its own clock.
internal sealed class RegressionHarness : IAsyncDisposable
{
    public const string ApiKey = "sk-test-secret-0123456789";

    public FakeLlmServer Server { get; }
    public ServiceProvider Services { get; }

    private RegressionHarness(FakeLlmServer server, ServiceProvider services)
    {
        Server = server;
        Services = services;
    }

    public static async Task<RegressionHarness> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var server = await FakeLlmServer.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["Endpoints:fake:Kind"] = "openai",
            ["Endpoints:fake:BaseUrl"] = server.OpenAIBaseUrl,
            ["Endpoints:fake:ApiKey"] = ApiKey,
            ["Endpoints:fake:MaxConcurrency"] = "8",
            ["Endpoints:fake:Prices:old:InputCostPerMillionTokens"] = "2",
            ["Endpoints:fake:Prices:old:OutputCostPerMillionTokens"] = "8",
            ["Endpoints:fake:Prices:new:InputCostPerMillionTokens"] = "1",
            ["Endpoints:fake:Prices:new:OutputCostPerMillionTokens"] = "4",
            ["Endpoints:claude:Kind"] = "anthropic",
            ["Endpoints:claude:BaseUrl"] = server.BaseUrl,
            ["Endpoints:claude:ApiKey"] = ApiKey,
            ["Regression:Retry:BaseDelayMs"] = "1",
            ["Regression:Retry:MaxDelayMs"] = "2",
        };
        foreach (var (key, value) in settings ?? [])
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        if (time is not null)
            services.AddSingleton(time);
        // As the host does: every factory client gets the standard resilience handler, which ours removes.
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        services.AddRegressionServices();
        return new RegressionHarness(server, services.BuildServiceProvider());
    }

    public Suite Suite(string yaml) => Services.GetRequiredService<SuiteLoader>().Parse(yaml, "test.yaml");

    public RegressionRunner Runner => Services.GetRequiredService<RegressionRunner>();

    public static ModelReference Model(string reference) =>
        ModelReference.TryParse(reference, out var model) ? model : throw new ArgumentException(reference);

    public Task<RunOutcome> RunAsync(string yaml, string baseline = "fake:old", string candidate = "fake:new", CancellationToken cancellationToken = default) =>
        Runner.RunAsync(new RunRequest(Suite(yaml), Model(baseline), Model(candidate)), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
