using System.Net;
using Microsoft.Extensions.Options;
using ModelMonitor.Sources.Fetching;
using ModelMonitor.Sources.GitHub;

namespace ModelMonitor.Sources;

internal static class SourcesExtensions
{
    public static void AddSources(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Live: sources added later (environment, a test host's settings) are seen when the options are built.
        var configuration = builder.Configuration;
        services.AddOptions<SourcesOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                configuration.GetSection(SourcesOptions.Section).Bind(options.Sources);
                foreach (var (name, source) in options.Sources)
                    source.Name = name;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        services.AddOptions<FetchingOptions>().BindConfiguration(FetchingOptions.Section).ValidateDataAnnotations().ValidateOnStart();

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the documented way to replace the handler the defaults added
        services.AddHttpClient(PageFetcher.HttpClientName)
            // Redirects are followed by hand (limit, allowed hosts); the timeout is ours, on the injected clock.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(["Authorization", "x-amz-security-token"])
            // The same standard handler as every client, but tunable under Fetching:Resilience.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(resilience => configuration.GetSection($"{FetchingOptions.Section}:Resilience").Bind(resilience));
#pragma warning restore EXTEXP0001

        services.AddSingleton<PageFetcher>();
        services.AddSingleton<GitHubFileFetcher>();
        services.AddScoped<Crawler>();
    }
}
