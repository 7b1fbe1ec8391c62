using System.ComponentModel.DataAnnotations;

namespace ModelMonitor.Regression;

/// Section `Regression`.
public sealed class RegressionOptions
{
    // The model that grades llm-rubric assertions, as endpoint:model. Suites using llm-rubric need it.
    public string? Judge { get; set; }

    // Sent with every request where the API supports it, so reruns are as repeatable as the provider allows.
    public long Seed { get; set; } = 42;

    [Range(1, 1024)]
    public int DefaultConcurrency { get; set; } = 16;

    // Output tokens assumed per call when estimating the cost of a run whose cases set no max_tokens.
    [Range(1, 1_000_000)]
    public int EstimatedOutputTokens { get; set; } = 256;

    // Anthropic's API requires max_tokens; used when a case sets none.
    [Range(1, 1_000_000)]
    public int DefaultMaxTokens { get; set; } = 1024;

    [Range(1, 60_000)]
    public int RegexTimeoutMs { get; set; } = 1000;

    [Range(0.0, 1.0)]
    public double SimilarityThreshold { get; set; } = 0.75;

    // Each subsection is validated on its own (RegressionSectionsValidator), so its failures name its path.
#pragma warning disable SYSLIB1212 // no [ValidateObjectMembers]: see above
    public RetryOptions Retry { get; set; } = new();

    public SuiteLimits Suite { get; set; } = new();

    public VerdictOptions Verdict { get; set; } = new();

    // Which endpoint (Endpoints:<name>) serves each catalog provider's models in stored runs, e.g. openai → openai.
    // Keyed by the platform a pin calls (its platform, else its provider).
    public Dictionary<string, string> ProviderEndpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public TriggerOptions Triggers { get; set; } = new();

    public RunQueueOptions Runs { get; set; } = new();
#pragma warning restore SYSLIB1212
}

public sealed class TriggerOptions
{
    // A pin this close to its retirement gets a run when its last one is older than MaxRunAgeDays.
    [Range(0, 3650)]
    public int FreshnessDays { get; set; } = 30;

    [Range(1, 3650)]
    public int MaxRunAgeDays { get; set; } = 14;
}

public sealed class RunQueueOptions
{
    // Concurrent requests per stored run (each endpoint's MaxConcurrency also applies).
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 16;

    // How often a node executing a run says so; a running run silent for StaleAfterSeconds is taken over.
    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 30;

    [Range(10, 86_400)]
    public int StaleAfterSeconds { get; set; } = 300;
}

public sealed class RetryOptions
{
    // Attempts per call, the first included; after the last a case is recorded as an error.
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 4;

    [Range(1, 600_000)]
    public int BaseDelayMs { get; set; } = 500;

    [Range(1, 600_000)]
    public int MaxDelayMs { get; set; } = 30_000;

    // A server asking for a longer pause than this makes the case give up instead of stalling the run.
    [Range(1, 3600)]
    public int MaxRetryAfterSeconds { get; set; } = 120;
}

public sealed class SuiteLimits
{
    [Range(1, int.MaxValue)]
    public int MaxFileBytes { get; set; } = 8 * 1024 * 1024;

    // Counts every node visited, aliases expanded: this is what stops a "billion laughs" file.
    [Range(1, int.MaxValue)]
    public int MaxNodes { get; set; } = 1_000_000;

    [Range(0, int.MaxValue)]
    public int MaxAliases { get; set; } = 1000;
}

public sealed class VerdictOptions
{
    // Below this many compared cases, significance is not computed and the report says so.
    [Range(1, 100_000)]
    public int MinCasesForSignificance { get; set; } = 20;

    [Range(0.0001, 0.5)]
    public double Alpha { get; set; } = 0.05;

    // Candidate errors (calls that gave up) at or above this share of its cases make the verdict not-ready.
    [Range(0.0, 1.0)]
    public double MaxCandidateErrorShare { get; set; } = 0.1;

    // Latency or cost must improve by at least this much (percent) for upgradeRecommended.
    [Range(0.0, 100.0)]
    public double UpgradeImprovementPercent { get; set; } = 15;

    [Range(100, 100_000)]
    public int BootstrapResamples { get; set; } = 2000;
}
