using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace ModelMonitor.Regression;

/// Error is true when the assertion could not be decided (a regex timed out, the judge's answer was
/// unreadable, no price for a cost check): it is then neither a pass nor a fail.
public sealed record AssertionResult(string Type, bool Pass, double? Score, string Reason, bool Error = false);

/// What an assertion looks at: the model's answer and what the call measured.
public sealed record AssertionInput(string Output, double LatencyMs, decimal? CostUsd);

/// Grades llm-rubric assertions with the configured judge model.
public sealed class Judge(ModelTarget target, ModelCaller caller, long seed)
{
    public const string Instructions =
        "You grade the output of an AI model against a rubric. Judge only whether the output satisfies the rubric. " +
        "Reply with only a JSON object and nothing else: {\"pass\": true or false, \"score\": a number from 0 to 1, \"reason\": \"one sentence\"}.";

    public ModelReference Model => target.Reference;

    public async Task<(AssertionResult Result, CallResult Call)> GradeAsync(AssertionSpec spec, string output, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, Instructions),
            new(ChatRole.User, $"<rubric>\n{spec.Text}\n</rubric>\n<output>\n{output}\n</output>"),
        ];
        var chatOptions = new ChatOptions { Temperature = 0, Seed = target.Kind == EndpointKind.OpenAI ? seed : null };
        var call = await caller.CallAsync(target, messages, chatOptions, cancellationToken);
        if (!call.Ok)
            return (new AssertionResult(spec.Type, false, null, $"judge {target.Reference} failed: {call.Error}", Error: true), call);
        if (Parse(call.Text ?? "") is not { } verdict)
            return (new AssertionResult(spec.Type, false, null, $"judge {target.Reference} did not answer with JSON {{pass, score, reason}}: {Abbreviate(call.Text)}", Error: true), call);
        var pass = verdict.Pass && (spec.Threshold is not { } min || verdict.Score >= min);
        if (spec.Negate)
            pass = !pass;
        return (new AssertionResult(spec.Type, pass, verdict.Score, verdict.Reason), call);
    }

    public static (bool Pass, double Score, string Reason)? Parse(string reply)
    {
        if (AssertionEvaluator.FindJson(reply) is not JsonObject obj)
            return null;
        if (obj["pass"] is not JsonValue passValue || !passValue.TryGetValue<bool>(out var pass))
            return null;
        double score = pass ? 1 : 0;
        if (obj["score"] is JsonValue s)
        {
            if (!s.TryGetValue(out score) || score is < 0 or > 1)
                return null;
        }
        var reason = obj["reason"] is JsonValue r && r.TryGetValue<string>(out var text) ? text : "";
        return (pass, score, reason);
    }

    private static string Abbreviate(string? text) =>
        text is null ? "(empty)" : text.Length <= 120 ? text : text[..120] + "…";
}

public static class AssertionEvaluator
{
    /// Evaluates every assertion except llm-rubric, which needs the judge (see Judge).
    public static AssertionResult Evaluate(AssertionSpec spec, AssertionInput input)
    {
        var output = input.Output;
        bool pass;
        string reason;
        double? score = null;
        try
        {
            switch (spec.Kind)
            {
                case AssertionKind.Equals:
                    if (spec.Json is not null)
                    {
                        pass = TryParse(output.Trim()) is { } parsed && JsonNode.DeepEquals(parsed, spec.Json);
                        reason = pass ? "output equals the expected JSON" : "output is not the expected JSON";
                    }
                    else
                    {
                        pass = string.Equals(output, spec.Text, StringComparison.Ordinal);
                        reason = pass ? "output equals the expected text" : $"expected exactly {Quote(spec.Text)}";
                    }
                    break;
                case AssertionKind.Contains:
                    pass = output.Contains(spec.Text!, StringComparison.Ordinal);
                    reason = $"{(pass ? "contains" : "does not contain")} {Quote(spec.Text)}";
                    break;
                case AssertionKind.IContains:
                    pass = output.Contains(spec.Text!, StringComparison.OrdinalIgnoreCase);
                    reason = $"{(pass ? "contains" : "does not contain")} {Quote(spec.Text)} (ignoring case)";
                    break;
                case AssertionKind.ContainsAny or AssertionKind.IContainsAny:
                    var anyComparison = spec.Kind == AssertionKind.ContainsAny ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
                    var found = spec.Texts.FirstOrDefault(t => output.Contains(t, anyComparison));
                    pass = found is not null;
                    reason = pass ? $"contains {Quote(found)}" : $"contains none of {string.Join(", ", spec.Texts.Select(Quote))}";
                    break;
                case AssertionKind.ContainsAll or AssertionKind.IContainsAll:
                    var allComparison = spec.Kind == AssertionKind.ContainsAll ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
                    var missing = spec.Texts.Where(t => !output.Contains(t, allComparison)).ToList();
                    pass = missing.Count == 0;
                    reason = pass ? "contains every expected text" : $"lacks {string.Join(", ", missing.Select(Quote))}";
                    break;
                case AssertionKind.StartsWith:
                    pass = output.StartsWith(spec.Text!, StringComparison.Ordinal);
                    reason = $"{(pass ? "starts" : "does not start")} with {Quote(spec.Text)}";
                    break;
                case AssertionKind.Regex:
                    pass = spec.Pattern!.IsMatch(output);
                    reason = $"{(pass ? "matches" : "does not match")} /{spec.Text}/";
                    break;
                case AssertionKind.IsJson or AssertionKind.JsonSchema:
                    var json = TryParse(output.Trim(), out var parseError);
                    if (parseError is not null)
                        (pass, reason) = (false, $"output is not JSON: {parseError}");
                    else
                        (pass, reason) = Conform(spec, json);
                    break;
                case AssertionKind.ContainsJson:
                    if (!ContainsJson(output, out var embedded))
                        (pass, reason) = (false, "output contains no JSON value");
                    else
                        (pass, reason) = Conform(spec, embedded);
                    break;
                case AssertionKind.Similar:
                    var best = spec.Texts.Max(t => TextSimilarity.Cosine(output, t));
                    score = best;
                    pass = best >= spec.Threshold;
                    reason = string.Create(CultureInfo.InvariantCulture, $"trigram cosine similarity {best:0.000} {(pass ? "≥" : "<")} {spec.Threshold:0.###}");
                    break;
                case AssertionKind.Latency:
                    pass = input.LatencyMs <= spec.Threshold;
                    reason = string.Create(CultureInfo.InvariantCulture, $"latency {input.LatencyMs:0} ms {(pass ? "≤" : ">")} {spec.Threshold:0.###} ms");
                    break;
                case AssertionKind.Cost:
                    if (input.CostUsd is not { } cost)
                        return new AssertionResult(spec.Type, false, null, "no price known for this model (set Endpoints:<name>:Prices:<model>)", Error: true);
                    pass = (double)cost <= spec.Threshold;
                    reason = string.Create(CultureInfo.InvariantCulture, $"cost ${cost:0.######} {(pass ? "≤" : ">")} ${spec.Threshold:0.######}");
                    break;
                default:
                    throw new InvalidOperationException($"{spec.Kind} is graded by the judge, not here");
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return new AssertionResult(spec.Type, false, null, $"regex /{spec.Text}/ timed out (Regression:RegexTimeoutMs)", Error: true);
        }
        if (spec.Negate)
        {
            pass = !pass;
            reason = $"not: {reason}";
        }
        return new AssertionResult(spec.Type, pass, score ?? (pass ? 1 : 0), reason);
    }

    private static (bool, string) Conform(AssertionSpec spec, JsonNode? json)
    {
        if (spec.Schema is null)
            return (true, "output is valid JSON");
        return spec.Schema.Validate(json) is { } violation
            ? (false, $"JSON does not match the schema: {violation}")
            : (true, "JSON matches the schema");
    }

    private static JsonNode? TryParse(string text) => TryParse(text, out var error) is var node && error is null ? node : null;

    private static JsonNode? TryParse(string text, out string? error)
    {
        try
        {
            error = null;
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// The first JSON object or array anywhere in the text (as in ```json fences or prose around it).
    public static JsonNode? FindJson(string text) => ContainsJson(text, out var node) ? node : null;

    private static bool ContainsJson(string text, out JsonNode? node)
    {
        node = null;
        if (text.IndexOfAny(['{', '[']) < 0)
            return false;
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var start = 0; start < bytes.Length; start++)
        {
            if (bytes[start] is not ((byte)'{' or (byte)'['))
                continue;
            var reader = new Utf8JsonReader(bytes.AsSpan(start), new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            try
            {
                if (reader.Read() && reader.TrySkip())
                {
                    node = JsonNode.Parse(bytes.AsSpan(start, (int)reader.BytesConsumed));
                    return true;
                }
            }
            catch (JsonException)
            {
                // Not JSON from here; try the next bracket.
            }
        }
        return false;
    }

    private static string Quote(string? text) =>
        text is null ? "\"\"" : text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..60]}…\"";
}
