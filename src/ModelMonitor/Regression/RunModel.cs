using System.Text.Json.Serialization;

namespace ModelMonitor.Regression;

[JsonConverter(typeof(JsonStringEnumConverter<ModelSide>))]
public enum ModelSide
{
    [JsonStringEnumMemberName("baseline")] Baseline,
    [JsonStringEnumMemberName("candidate")] Candidate,
}

[JsonConverter(typeof(JsonStringEnumConverter<CaseStatus>))]
public enum CaseStatus
{
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    // The call gave up, or an assertion could not be decided: neither a pass nor a fail.
    [JsonStringEnumMemberName("error")] Error,
}

/// Identifies one result within a run: a case on one side. The persistence layer's natural key.
public readonly record struct ResultKey(string CaseId, ModelSide Side);

/// One case run on one model: what it answered, what it cost, and each assertion's result.
public sealed record CaseResult(
    string CaseId,
    ModelSide Side,
    string Model,
    CaseStatus Status,
    string? Output,
    double LatencyMs,
    long InputTokens,
    long OutputTokens,
    bool TokensEstimated,
    decimal? CostUsd,
    int Attempts,
    string? Error,
    IReadOnlyList<AssertionResult> Assertions,
    DateTimeOffset FinishedAt)
{
    [JsonIgnore]
    public ResultKey Key => new(CaseId, Side);

    // A call that gave up is worth running again on resume; a decided result is not.
    [JsonIgnore]
    public bool IsFinal => Status != CaseStatus.Error || Output is not null;
}

public readonly record struct RunProgress(int Done, int Total, TimeSpan Elapsed, int DoneThisRun)
{
    public double RatePerSecond => Elapsed.TotalSeconds > 0 ? DoneThisRun / Elapsed.TotalSeconds : 0;

    public TimeSpan? Eta => RatePerSecond > 0 ? TimeSpan.FromSeconds((Total - Done) / RatePerSecond) : null;
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStop>))]
public enum RunStop
{
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("budget-exhausted")] BudgetExhausted,
}

public sealed record RunRequest(Suite Suite, ModelReference Baseline, ModelReference Candidate)
{
    // Overall requests in flight for this run; each endpoint's MaxConcurrency also applies.
    public int Concurrency { get; init; } = 16;

    public decimal? BudgetUsd { get; init; }

    // Results of an earlier, interrupted run of the same suite and models: their keys are skipped and
    // they are part of this run's outcome (and of its budget).
    public IReadOnlyCollection<CaseResult> Finished { get; init; } = [];

    // Called once per finished result, one at a time, in completion order: where a store persists it.
    public Func<CaseResult, CancellationToken, ValueTask>? OnResult { get; init; }

    public IProgress<RunProgress>? Progress { get; init; }
}

public sealed record RunOutcome(
    IReadOnlyList<CaseResult> Results,
    RunStop Stop,
    decimal SpentUsd,
    decimal? EstimatedUsd,
    int NotRun,
    TimeSpan Elapsed);

/// The run cannot start: a model cannot be resolved, or the estimated cost is over the budget.
public sealed class RunRefusedException(string message) : Exception(message);
