using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelMonitor.Scheduling;
using ModelMonitor.Sources.Extraction;
using Quartz;

namespace ModelMonitor.Sources;

/// Section "Sources": one entry per configured source, keyed by its name (`Sources:openai:Url`).
public sealed class SourcesOptions
{
    public const string Section = "Sources";

    public Dictionary<string, SourceDefinition> Sources { get; } = new(StringComparer.OrdinalIgnoreCase);

    public SourceDefinition? Find(string name) => Sources.GetValueOrDefault(name);
}

/// One configured source: where its page is, how it is read, and when.
public sealed class SourceDefinition
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    // Filled from the configuration key.
    public string Name { get; set; } = "";

    // The extractor to read it with and, unless a row names another platform, the catalog provider.
    public string Provider { get; set; } = "";

    // page | github-file | declarative | openai-api | bedrock-api (see SourceKinds).
    public string Kind { get; set; } = SourceKinds.Page;

    public string? Url { get; set; }

    // github-file: "owner/name", the file's path in it, and the branch, tag or commit.
    public string? Repository { get; set; }
    public string? Path { get; set; }
    public string Ref { get; set; } = "main";

    public bool Enabled { get; set; } = true;

    // Quartz cron; empty means Scheduling:Crons:crawl (every 6 hours unless changed).
    public string? Schedule { get; set; }

    // Hosts a redirect may lead to besides the URL's own ("docs.example.com" or "*.example.com").
    public List<string> AllowedHosts { get; set; } = [];

    public long MaxBytes { get; set; } = DefaultMaxBytes;

    public int TimeoutSeconds { get; set; } = 30;

    // provider-page | provider-api | registry; by default from the kind (and `registry` for litellm).
    public string? Authority { get; set; }

    // openai-api: the environment variable (or configuration key) holding the key. The key itself is never stored.
    public string? ApiKeyVariable { get; set; }

    // bedrock-api: the AWS region whose foundation models are listed (credentials: AWS_ACCESS_KEY_ID and the rest).
    public string Region { get; set; } = "us-east-1";

    // declarative: how to find the table and which header gives which fact (Provider defaults to the source's).
    public DeclarativeTableOptions? Table { get; set; }

    public DeclarativeTableOptions? TableOptions() =>
        Table is null ? null : string.IsNullOrWhiteSpace(Table.Provider) ? Table with { Provider = Provider } : Table;

    public SourceAuthority AuthorityValue => Authority?.ToLowerInvariant() switch
    {
        "provider-page" => SourceAuthority.ProviderPage,
        "provider-api" => SourceAuthority.ProviderApi,
        "registry" => SourceAuthority.Registry,
        _ when Kind is SourceKinds.OpenAiApi or SourceKinds.BedrockApi => SourceAuthority.ProviderApi,
        _ when Provider == "litellm" => SourceAuthority.Registry,
        _ => SourceAuthority.ProviderPage,
    };

    public string CronOr(Scheduling.SchedulingOptions scheduling) =>
        string.IsNullOrWhiteSpace(Schedule) ? scheduling.CronFor(Jobs.Crawl) : Schedule;

    // Where the bytes come from, as recorded on snapshots and observations.
    public string DisplayUrl => Kind == SourceKinds.GitHubFile
        ? $"https://github.com/{Repository}/blob/{Ref}/{Path}"
        : Url ?? Kind switch
        {
            SourceKinds.OpenAiApi => SourceKinds.OpenAiModelsUrl,
            SourceKinds.BedrockApi => $"https://bedrock.{Region}.amazonaws.com/foundation-models",
            _ => "",
        };

    /// The API key for API kinds, read from configuration (which includes the environment) by name.
    public string? ApiKey(IConfiguration configuration) =>
        ApiKeyVariable is { Length: > 0 } variable && configuration[variable] is { Length: > 0 } key ? key : null;

    /// Whether scheduled crawls include this source: enabled, and for API kinds, a key is configured.
    public bool IsActive(IConfiguration configuration) => Enabled && Kind switch
    {
        SourceKinds.OpenAiApi => ApiKey(configuration) is not null,
        SourceKinds.BedrockApi => Fetching.AwsCredentials.From(configuration) is not null,
        _ => true,
    };
}

public static class SourceKinds
{
    public const string Page = "page";
    public const string GitHubFile = "github-file";
    public const string Declarative = "declarative";
    public const string OpenAiApi = "openai-api";
    public const string BedrockApi = "bedrock-api";

    public const string OpenAiModelsUrl = "https://api.openai.com/v1/models";

    public static readonly IReadOnlyList<string> Built = [Page, GitHubFile, Declarative, OpenAiApi, BedrockApi];
}

internal sealed partial class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, source) in options.Sources)
            Validate($"Sources:{key}", key, source, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Validate(string at, string key, SourceDefinition source, List<string> failures)
    {
        if (!NamePattern().IsMatch(key))
            failures.Add($"{at}: a source name must be lowercase letters, digits and '-' (at most 64), not '{key}'.");
        if (string.IsNullOrWhiteSpace(source.Provider))
            failures.Add($"{at}:Provider is required (e.g. openai, azure-openai, litellm).");
        else if (!NamePattern().IsMatch(source.Provider))
            failures.Add($"{at}:Provider must be lowercase letters, digits and '-', not '{source.Provider}'.");

        switch (source.Kind)
        {
            case SourceKinds.Page:
                RequireHttpUrl(at, source.Url, failures);
                if (!string.IsNullOrWhiteSpace(source.Provider) && Extractors.Create(source.Provider) is null)
                    failures.Add($"{at}:Provider '{source.Provider}' has no built-in extractor (built in: {string.Join(", ", Extractors.Names)}); use Kind 'declarative' with Table options for another provider.");
                break;
            case SourceKinds.Declarative:
                RequireHttpUrl(at, source.Url, failures);
                if (source.TableOptions() is not { } table)
                    failures.Add($"{at}:Table is required for a declarative source: a Heading or Selector and a Columns map with at least Model.");
                else
                    failures.AddRange(table.Validate().Select(error => $"{at}:Table: {error}"));
                break;
            case SourceKinds.OpenAiApi:
                if (source.Url is not null)
                    RequireHttpUrl(at, source.Url, failures);
                if (string.IsNullOrWhiteSpace(source.ApiKeyVariable))
                    failures.Add($"{at}:ApiKeyVariable must name the environment variable holding the API key (e.g. OPENAI_API_KEY).");
                break;
            case SourceKinds.GitHubFile:
                if (!string.IsNullOrWhiteSpace(source.Provider) && Extractors.Create(source.Provider) is null)
                    failures.Add($"{at}:Provider '{source.Provider}' has no built-in extractor (built in: {string.Join(", ", Extractors.Names)}).");
                if (source.Repository is null || !RepositoryPattern().IsMatch(source.Repository))
                    failures.Add($"{at}:Repository must be 'owner/name', not '{source.Repository}'.");
                if (string.IsNullOrWhiteSpace(source.Path))
                    failures.Add($"{at}:Path is required: the file's path in the repository.");
                if (string.IsNullOrWhiteSpace(source.Ref))
                    failures.Add($"{at}:Ref must name a branch, tag or commit.");
                break;
            case SourceKinds.BedrockApi:
                if (source.Url is not null)
                    RequireHttpUrl(at, source.Url, failures);
                if (!RegionPattern().IsMatch(source.Region))
                    failures.Add($"{at}:Region must be an AWS region such as us-east-1, not '{source.Region}'.");
                break;
            default:
                failures.Add($"{at}:Kind must be one of {string.Join(", ", SourceKinds.Built)}, not '{source.Kind}'.");
                break;
        }

        if (!string.IsNullOrWhiteSpace(source.Schedule) && !CronExpression.TryParse(source.Schedule, out _))
            failures.Add($"{at}:Schedule is not a valid Quartz cron expression: '{source.Schedule}'.");
        if (source.MaxBytes is < 1024 or > 200L * 1024 * 1024)
            failures.Add($"{at}:MaxBytes must be from 1024 to 209715200, not {source.MaxBytes}.");
        if (source.TimeoutSeconds is < 1 or > 600)
            failures.Add($"{at}:TimeoutSeconds must be from 1 to 600, not {source.TimeoutSeconds}.");
        if (source.Authority is not null && source.Authority.ToLowerInvariant() is not ("provider-page" or "provider-api" or "registry"))
            failures.Add($"{at}:Authority must be provider-page, provider-api or registry, not '{source.Authority}'.");
        for (var i = 0; i < source.AllowedHosts.Count; i++)
        {
            if (!HostPattern().IsMatch(source.AllowedHosts[i]))
                failures.Add($"{at}:AllowedHosts:{i} must be a host name such as docs.example.com or *.example.com, not '{source.AllowedHosts[i]}'.");
        }
    }

    private static void RequireHttpUrl(string at, string? url, List<string> failures)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            failures.Add($"{at}:Url must be an absolute http(s) URL, not '{url}'.");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    private static partial Regex HostPattern();
}
