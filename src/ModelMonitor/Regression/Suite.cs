using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ModelMonitor.Regression;

/// A loaded, validated suite: every test × prompt expanded into a case with its prompt already rendered.
public sealed record Suite(string Path, string Sha256, string? Description, IReadOnlyList<SuiteCase> Cases)
{
    public bool UsesJudge => Cases.Any(c => c.Assertions.Any(a => a.Kind == AssertionKind.LlmRubric));
}

/// One case. Id is stable for an unchanged suite file: `t{test}` or `t{test}.p{prompt}` with several prompts.
public sealed record SuiteCase(
    string Id,
    int Line,
    string? Description,
    IReadOnlyList<PromptMessage> Messages,
    IReadOnlyList<AssertionSpec> Assertions,
    CaseOptions Options,
    bool Critical);

public sealed record PromptMessage(string Role, string Content);

public sealed record CaseOptions(float? Temperature, int? MaxTokens)
{
    public static readonly CaseOptions None = new(null, null);
}

public enum AssertionKind
{
    Equals,
    Contains,
    IContains,
    ContainsAny,
    IContainsAny,
    ContainsAll,
    IContainsAll,
    StartsWith,
    Regex,
    IsJson,
    ContainsJson,
    JsonSchema,
    Similar,
    Latency,
    Cost,
    LlmRubric,
}

/// One assertion with its value already rendered against the case's vars.
/// Type is what the file said (`not-icontains`); Kind and Negate are what it means.
public sealed record AssertionSpec(string Type, AssertionKind Kind, bool Negate, int Line)
{
    public string? Text { get; init; }
    public IReadOnlyList<string> Texts { get; init; } = [];
    public JsonNode? Json { get; init; }
    public JsonSchemaSubset? Schema { get; init; }
    public Regex? Pattern { get; init; }
    public double? Threshold { get; init; }
}
