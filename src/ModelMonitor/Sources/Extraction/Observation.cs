using System.Text.Json.Serialization;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// One model occurrence as a page states it. Serialized as-is by `extract` (the public contract).
public sealed record Observation
{
    public required string Provider { get; init; }
    public string? Platform { get; init; }
    public required string Model { get; init; }
    public string? Version { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public LifecycleStatus? Status { get; init; }
    public DateOnly? ReleasedOn { get; init; }
    public DateOnly? DeprecatedOn { get; init; }
    public DateOnly? RetiresOn { get; init; }
    public bool RetiresOnIsEstimate { get; init; }
    public DatePrecision RetiresOnPrecision { get; init; } = DatePrecision.Day;
    public IReadOnlyList<string> Replacements { get; init; } = [];
    public string? Section { get; init; }
    public string? Evidence { get; init; }
    public IReadOnlyList<string> Problems { get; init; } = [];

    // Registry facts (LiteLLM); omitted from JSON when absent.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextWindow { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? InputCostPerMillionTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? OutputCostPerMillionTokens { get; init; }
}

/// Reads one kind of page into observations. Pure: no I/O, no clock.
public interface IExtractor
{
    /// The provider name as configured and as the `extract --provider` verb takes it.
    string Provider { get; }

    /// Throws <see cref="ExtractionException"/> when the page is not what this extractor reads.
    IReadOnlyList<Observation> Extract(string content);
}

public sealed class ExtractionException(string message) : Exception(message);
