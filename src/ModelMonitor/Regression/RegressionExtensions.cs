using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelMonitor.Hosting;

namespace ModelMonitor.Regression;

public static class RegressionExtensions
{
    public static void AddRegression(this IHostApplicationBuilder builder)
    {
        // The service's prices: configuration, then the catalog. Registered before the defaults, which only TryAdd.
        builder.Services.AddSingleton<ConfiguredModelPrices>();
        builder.Services.AddSingleton<IModelPrices, CatalogModelPrices>();
        builder.Services.AddRegressionServices();
        builder.Services.AddScoped<Storage.SuiteStore>();
        builder.Services.AddScoped<Storage.RunQueue>();
        builder.Services.AddSingleton<Storage.RunExecutor>();
    }

    // Separate from AddRegression so tests can build the feature on a plain ServiceCollection.
    public static IServiceCollection AddRegressionServices(this IServiceCollection services)
    {
        services.AddOptions<RegressionOptions>().BindConfiguration("Regression").ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegressionOptions>, RegressionOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMonitorMetrics();
        services.AddSingleton<SuiteLoader>();
        services.AddSingleton<EndpointRegistry>();
        services.AddSingleton<ModelCaller>();
        services.AddSingleton<RegressionRunner>();
        services.TryAddSingleton<IModelPrices, ConfiguredModelPrices>();
        services.AddTransient<ResponseObserver>();

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental; the alternative is a handler outside the factory.
        services.AddHttpClient(EndpointRegistry.HttpClientName)
            // Our retry loop owns retries (Retry-After, give-up as a recorded error) and our timeout owns time:
            // the host's standard resilience handler would retry underneath it and cap requests at 30 s.
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            // Thousands of requests per run: no per-request log lines.
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // One pool for every endpoint; no cap below the runner's own concurrency limits.
                MaxConnectionsPerServer = int.MaxValue,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                ConnectTimeout = TimeSpan.FromSeconds(15),
                AutomaticDecompression = DecompressionMethods.All,
                UseCookies = false,
            })
            .AddHttpMessageHandler<ResponseObserver>()
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }
}

/// DataAnnotations on the nested sections too, and the judge reference's syntax.
internal sealed class RegressionOptionsValidator(IConfiguration configuration) : IValidateOptions<RegressionOptions>
{
    public ValidateOptionsResult Validate(string? name, RegressionOptions options)
    {
        List<string> failures = [];
        var sections = new RegressionSectionsValidator();
        Check(sections.Validate(name, options), "Regression", failures);
        Check(sections.Validate(name, options.Retry), "Regression:Retry", failures);
        Check(sections.Validate(name, options.Suite), "Regression:Suite", failures);
        Check(sections.Validate(name, options.Verdict), "Regression:Verdict", failures);
        Check(sections.Validate(name, options.Triggers), "Regression:Triggers", failures);
        Check(sections.Validate(name, options.Runs), "Regression:Runs", failures);
        if (options.Runs.StaleAfterSeconds <= options.Runs.HeartbeatSeconds)
            failures.Add("Regression:Runs:StaleAfterSeconds must exceed HeartbeatSeconds.");
        foreach (var (provider, endpoint) in options.ProviderEndpoints)
        {
            if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Contains(':', StringComparison.Ordinal))
                failures.Add($"Regression:ProviderEndpoints:{provider} must name an endpoint (Endpoints:<name>), not '{endpoint}'.");
            else if (!configuration.GetSection($"Endpoints:{endpoint}").Exists())
                failures.Add($"Regression:ProviderEndpoints:{provider} names endpoint '{endpoint}', which is not configured (set Endpoints__{endpoint}__Kind and BaseUrl).");
        }
        if (options.Judge is { Length: > 0 } judge && !ModelReference.TryParse(judge, out _))
            failures.Add($"Regression:Judge must be endpoint:model, not '{judge}'.");
        if (options.Retry.BaseDelayMs > options.Retry.MaxDelayMs)
            failures.Add("Regression:Retry:BaseDelayMs cannot exceed MaxDelayMs.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // A generated failure reads "Member: message"; prefixed with its section, it names the setting to fix.
    private static void Check(ValidateOptionsResult result, string section, List<string> failures)
    {
        if (result.Failed)
            failures.AddRange(result.Failures.Select(failure => $"{section}:{failure}"));
    }
}

/// The [Range] checks of the section and of each subsection, generated (no reflection).
[OptionsValidator]
internal sealed partial class RegressionSectionsValidator :
    IValidateOptions<RegressionOptions>, IValidateOptions<RetryOptions>, IValidateOptions<SuiteLimits>,
    IValidateOptions<VerdictOptions>, IValidateOptions<TriggerOptions>, IValidateOptions<RunQueueOptions>;
