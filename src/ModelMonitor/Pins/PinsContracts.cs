using System.Text.Json.Serialization;
using ModelMonitor.Catalog;

namespace ModelMonitor.Pins;

// Requests: every member optional to the serializer, so that a missing or null field is reported by the
// validator with its name rather than by the JSON reader with a type name. Unknown fields are errors.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTeamRequest(string? Name, List<string?>? Emails, List<string?>? EscalationEmails);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PutAppRequest(string? Description, string? Repository, string? ManifestPath, List<PinRequest?>? Pins);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PinRequest(
    string? Provider,
    string? Model,
    string? Version = null,
    string? Platform = null,
    string? Region = null,
    string? Environment = null,
    long? MonthlyInputTokens = null,
    long? MonthlyOutputTokens = null);

// Validated forms.

public sealed record TeamSpec(string Name, IReadOnlyList<string> Emails, IReadOnlyList<string> EscalationEmails);

public sealed record AppSpec(string? Description, string? Repository, string ManifestPath, IReadOnlyList<PinSpec> Pins);

public sealed record PinSpec(
    string Provider,
    string Model,
    string Version,
    string? Platform,
    string? Region,
    string Environment,
    long? MonthlyInputTokens,
    long? MonthlyOutputTokens)
{
    // The platform whose lifecycle applies: a Claude model on Bedrock has Bedrock's dates.
    public string CatalogProvider => Platform ?? Provider;

    public string Describe() =>
        $"{Provider} {Model}{(Version.Length > 0 ? " " + Version : "")}{(Platform is null ? "" : " on " + Platform)}"
        + $"{(Region is null ? "" : " in " + Region)}{(Environment.Length > 0 ? " [" + Environment + "]" : "")}";
}

// Responses.

public sealed record TeamTokenResponse(string Name, string Token);

public sealed record AppSummary(string Name, string? Description, string? Repository, int Pins, string? ManifestError, DateTimeOffset UpdatedAt);

public sealed record AppResponse(
    string Team,
    string Name,
    string? Description,
    string? Repository,
    string ManifestPath,
    ManifestState? Manifest,
    IReadOnlyList<PinResponse> Pins,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ManifestState(string? Sha, string? Error, DateTimeOffset? SyncedAt);

public sealed record PinResponse(
    string Provider,
    string Model,
    string? Version,
    string? Platform,
    string? Region,
    string? Environment,
    long? MonthlyInputTokens,
    long? MonthlyOutputTokens,
    PinResolution Resolution);

/// How a pin resolves in the catalog today.
public sealed record PinResolution(
    PinStatus Status,
    // For a pin of an alias: the version it points at today.
    string? ResolvedModel,
    DateOnly? RetiresOn,
    RetirementKind? Retirement,
    // Negative once the date has passed.
    int? DaysLeft,
    string? Successor,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<PinSuggestion> Suggestions);

public sealed record PinSuggestion(string Model, string? Version);

public enum PinStatus
{
    Unknown,
    Preview,
    Active,
    Deprecated,
    Legacy,
    Retired,
}

public enum RetirementKind
{
    Firm,
    Estimate,
}

public sealed record ImpactResponse(string Team, string App, DateOnly AsOf, IReadOnlyList<PinImpact> Pins);

public sealed record PinImpact(PinResponse Pin, IReadOnlyList<ImpactEvent> Events);

public sealed record ImpactEvent(DateTimeOffset OccurredAt, ChangeKind Kind, string Model, string? Version, string? OldValue, string? NewValue, string? Source);
