using Microsoft.Extensions.Options;

namespace ModelMonitor.Sources.GitHub;

internal static class GitHubExtensions
{
    public static void AddGitHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GitHubOptions>().BindConfiguration(GitHubOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>();
        // The defaults add the standard resilience handler; keep the token out of any header logging.
        builder.Services.AddHttpClient(GitHubClientFactory.HttpClientName).RedactLoggedHeaders(["Authorization"]);
        builder.Services.AddSingleton<GitHubClientFactory>();
    }
}
