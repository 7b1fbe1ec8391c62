using Microsoft.Extensions.Options;
using ModelMonitor.Hosting;
using Octokit;
using Octokit.Internal;

namespace ModelMonitor.Sources.GitHub;

/// Builds Octokit clients on IHttpClientFactory's "github" handler, so the resilience handler, logging and
/// a test server's base address apply to Octokit too. Create one per unit of work: the factory rotates handlers.
public sealed class GitHubClientFactory(IHttpMessageHandlerFactory handlers, IOptions<GitHubOptions> options)
{
    public const string HttpClientName = "github";

    public GitHubClient Create()
    {
        var settings = options.Value;
        var baseUrl = settings.BaseUrl.EndsWith('/') ? settings.BaseUrl : settings.BaseUrl + "/";
        var credentials = string.IsNullOrEmpty(settings.Token)
            ? Credentials.Anonymous
            : new Credentials(settings.Token);
        // The Connection constructor takes the base address as given (GitHubClient's own constructors would
        // append /api/v3/ for any host but api.github.com, which GitHub Enterprise users put in BaseUrl anyway).
        var connection = new Connection(
            new ProductHeaderValue(Product.Name, Product.Version),
            new Uri(baseUrl),
            new InMemoryCredentialStore(credentials),
            new HttpClientAdapter(() => handlers.CreateHandler(HttpClientName)),
            new SimpleJsonSerializer());
        return new GitHubClient(connection);
    }
}
