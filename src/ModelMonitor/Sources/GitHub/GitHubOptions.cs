using Microsoft.Extensions.Options;

namespace ModelMonitor.Sources.GitHub;

/// Section "GitHub": where the REST API is (github.com, GitHub Enterprise, or a local test server) and the
/// token to call it with. The token comes from the environment (GitHub__Token); it is never logged or stored.
public sealed class GitHubOptions
{
    public const string Section = "GitHub";

    public string BaseUrl { get; set; } = "https://api.github.com/";

    // Optional: without it GitHub allows 60 requests an hour, plenty for a few file sources.
    public string? Token { get; set; }

    // Never print the token, whoever formats the options.
    public override string ToString() => $"GitHub at {BaseUrl} ({(string.IsNullOrEmpty(Token) ? "anonymous" : "with token")})";
}

internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return ValidateOptionsResult.Fail($"GitHub:BaseUrl must be an absolute http(s) URL, not '{options.BaseUrl}'.");
        if (options.Token is { Length: > 0 } token && token.Any(char.IsWhiteSpace))
            return ValidateOptionsResult.Fail("GitHub:Token contains whitespace (environment: GitHub__Token); check how it was pasted.");
        return ValidateOptionsResult.Success;
    }
}
