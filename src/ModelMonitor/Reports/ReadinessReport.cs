namespace ModelMonitor.Reports;

/// One app's migration readiness: the same facts for the page, the JSON and Markdown exports and the CLI.
public sealed record ReadinessReport(
    string Team,
    string App,
    string? Description,
    string? Repository,
    DateOnly AsOf,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<PinReadinessRow> Pins,
    IReadOnlyList<WaiverRow> Waivers,
    OutboxState Outbox,
    RegressionSection? Regression);

public sealed record PinReadinessRow(
    string Provider,
    string Model,
    string? Version,
    string? Platform,
    string? Region,
    string? Environment,
    // preview, active, deprecated, legacy, retired, unknown
    string Status,
    // For a pin of an alias: the version it points at today.
    string? ResolvedModel,
    DateOnly? RetiresOn,
    // firm or estimate; null without a date
    string? Retirement,
    int? DaysLeft,
    string? Successor,
    // ready, needs-review, not-ready, unknown (from the last regression run)
    string Verdict,
    ModelFacts? Pinned,
    ModelFacts? SuccessorFacts,
    IReadOnlyList<string> Warnings,
    WaiverRow? Waiver,
    PlannedEmail? NextEmail)
{
    public string Describe() =>
        $"{Provider} {Model}{(Version is null ? "" : " " + Version)}{(Platform is null ? "" : " on " + Platform)}"
        + $"{(Region is null ? "" : " in " + Region)}{(Environment is null ? "" : " [" + Environment + "]")}";
}

/// What the catalog says about a model version's capacity and price.
public sealed record ModelFacts(string Model, string? Version, int? ContextWindow, decimal? InputPerMillionTokens, decimal? OutputPerMillionTokens);

public sealed record WaiverRow(string Model, string? Version, string? Environment, DateOnly Until, string Reason);

/// When the team will next hear about a pin, and why (a milestone, a retired pin's daily alert).
public sealed record PlannedEmail(DateOnly On, string Why);

/// The team's email deliveries still waiting in the outbox, and the last one sent.
public sealed record OutboxState(int Pending, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastSentAt, string? LastError);

/// The regression evidence behind the verdicts: each pin's recorded verdict and its latest finished run.
public sealed record RegressionSection(IReadOnlyList<VerdictRow> Verdicts, IReadOnlyList<RegressionRunView> Runs);

/// One pin's latest finished run. Recorded: results imported rather than run live (the offline demo).
public sealed record RegressionRunView(
    long RunId,
    string PinnedModel,
    string Suite,
    string BaselineModel,
    string CandidateModel,
    bool Recorded,
    string Status,
    string? Verdict,
    string Recommendation,
    DateTimeOffset? FinishedAt,
    string? Error,
    ModelMonitor.Regression.RegressionReport? Report);

public sealed record VerdictRow(string Model, string Verdict, DateTimeOffset DecidedAt);
