using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// LiteLLM's community registry (`model_prices_and_context_window.json`): one object per model key with
/// prices, context window and, for a few, a `deprecation_date` that is in practice the shutdown date.
/// Read with Utf8JsonReader in one pass: the file is large (750 KB, 1,600 entries) and we need 6 fields.
public sealed partial class LiteLlmExtractor : IExtractor
{
    private const int MaxEvidence = 500;

    public string Provider => "litellm";

    public IReadOnlyList<Observation> Extract(string content)
    {
        if (string.IsNullOrWhiteSpace(content))
            throw new ExtractionException("LiteLLM registry is empty.");
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(content.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(content, buffer);
            return Read(buffer.AsSpan(0, length));
        }
        catch (JsonException ex)
        {
            // LineNumber and BytePositionInLine are zero-based.
            throw new ExtractionException(
                $"LiteLLM registry is not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {FirstSentence(ex.Message)}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static List<Observation> Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ExtractionException($"LiteLLM registry must be a JSON object of model entries; it starts with {Describe(reader.TokenType)} at line 1.");

        var observations = new List<Observation>(2048);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            // `sample_spec` documents the schema; non-object values (`last_updated`) are file metadata.
            if (reader.TokenType != JsonTokenType.StartObject || key == "sample_spec")
            {
                reader.Skip();
                continue;
            }
            observations.Add(ReadEntry(key, ref reader));
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new ExtractionException($"LiteLLM registry has {Describe(reader.TokenType)} where a model key was expected.");
        if (reader.Read())
            throw new ExtractionException("LiteLLM registry has content after its closing brace.");
        if (observations.Count == 0)
            throw new ExtractionException("LiteLLM registry has no model entries.");
        return observations;
    }

    private static Observation ReadEntry(string key, ref Utf8JsonReader reader)
    {
        string? litellmProvider = null, mode = null, deprecation = null;
        string? contextText = null, inputText = null, outputText = null;
        int? context = null;
        decimal? input = null, output = null;
        List<string>? problems = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("litellm_provider"u8))
                litellmProvider = ReadString(ref reader, "litellm_provider", ref problems);
            else if (reader.ValueTextEquals("mode"u8))
                mode = ReadString(ref reader, "mode", ref problems);
            else if (reader.ValueTextEquals("deprecation_date"u8))
                deprecation = ReadString(ref reader, "deprecation_date", ref problems);
            else if (reader.ValueTextEquals("max_input_tokens"u8))
                context = ReadTokens(ref reader, out contextText, ref problems);
            else if (reader.ValueTextEquals("input_cost_per_token"u8))
                input = ReadPerMillion(ref reader, "input_cost_per_token", out inputText, ref problems);
            else if (reader.ValueTextEquals("output_cost_per_token"u8))
                output = ReadPerMillion(ref reader, "output_cost_per_token", out outputText, ref problems);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (litellmProvider is null)
            (problems ??= []).Add("no litellm_provider in the entry");

        var retires = deprecation is null ? ParsedDate.None : ParseDate(deprecation, ref problems);

        return new Observation
        {
            Provider = "litellm",
            Platform = litellmProvider is null ? null : PlatformOf(litellmProvider),
            Model = ModelOf(key, litellmProvider),
            Status = deprecation is null ? null : LifecycleStatus.Deprecated,
            RetiresOn = retires.Date,
            RetiresOnIsEstimate = retires.IsEstimate,
            RetiresOnPrecision = retires.Precision,
            Section = key,
            Evidence = Evidence(key, litellmProvider, mode, contextText, inputText, outputText, deprecation),
            Problems = problems ?? (IReadOnlyList<string>)[],
            ContextWindow = context,
            InputCostPerMillionTokens = input,
            OutputCostPerMillionTokens = output,
        };
    }

    private static string? ReadString(ref Utf8JsonReader reader, string field, ref List<string>? problems)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null)
            (problems ??= []).Add($"{field} is {Describe(reader.TokenType)}, not a string");
        reader.Skip();
        return null;
    }

    private static int? ReadTokens(ref Utf8JsonReader reader, out string? raw, ref List<string>? problems)
    {
        reader.Read();
        raw = null;
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            raw = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            (problems ??= []).Add($"max_input_tokens is {Describe(reader.TokenType)}, not a number");
            reader.Skip();
            return null;
        }
        raw = Encoding.UTF8.GetString(reader.ValueSpan);
        if (reader.TryGetInt32(out var whole) && whole >= 0)
            return whole;
        // A few entries write whole numbers as floats (2000000.0).
        if (reader.TryGetDouble(out var d) && d >= 0 && d <= int.MaxValue && d == Math.Floor(d))
            return (int)d;
        (problems ??= []).Add($"max_input_tokens '{raw}' is not a whole number of tokens");
        return null;
    }

    private static decimal? ReadPerMillion(ref Utf8JsonReader reader, string field, out string? raw, ref List<string>? problems)
    {
        reader.Read();
        raw = null;
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            (problems ??= []).Add($"{field} is {Describe(reader.TokenType)}, not a number");
            reader.Skip();
            return null;
        }
        raw = Encoding.UTF8.GetString(reader.ValueSpan);
        // Parsed as decimal from the text, so 2.75e-06 becomes exactly 2.75 per million (a double would not).
        if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var perToken) && perToken >= 0 && perToken < 1_000_000m)
            return perToken * 1_000_000m;
        (problems ??= []).Add($"{field} '{raw}' is not a usable price per token");
        return null;
    }

    // The file documents the field as YYYY-MM-DD (the fast path); other spellings go through the shared grammar.
    private static ParsedDate ParseDate(string text, ref List<string>? problems)
    {
        if (IsoDate().Match(text) is { Success: true } match)
        {
            var year = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            var month = int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
            var day = int.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture);
            if (year is >= 2000 and <= 2100 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
                return new ParsedDate(new DateOnly(year, month, day), DatePrecision.Day, false, null);
        }
        var parsed = DateGrammar.Parse(text);
        if (parsed.Problem is { } problem)
            (problems ??= []).Add($"{problem} in deprecation_date");
        return parsed;
    }

    [GeneratedRegex(@"^\s*(\d{4})-(\d{2})-(\d{2})\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    /// The serving platform, in Monitor's names; platforms Monitor has no name for keep LiteLLM's.
    internal static string PlatformOf(string litellmProvider) => litellmProvider switch
    {
        "openai" or "text-completion-openai" => "openai",
        "anthropic" => "anthropic",
        "azure" or "azure_text" => "azure-openai",
        "bedrock" or "bedrock_converse" => "aws-bedrock",
        "gemini" => "google-gemini",
        "mistral" or "codestral" or "text-completion-codestral" => "mistral",
        "cohere" or "cohere_chat" => "cohere",
        _ when litellmProvider.StartsWith("vertex_ai", StringComparison.Ordinal) => "google-vertex",
        _ => litellmProvider,
    };

    /// The id the platform knows: the key without LiteLLM's routing prefix (`azure/`, `bedrock/`) and without
    /// the pricing qualifiers placed around it (`azure/eu/`, `bedrock/us-east-1/1-month-commitment/`,
    /// `hd/1024-x-1024/`). What remains may still hold a slash when that is the platform's own id
    /// (`openrouter/anthropic/claude-2` → `anthropic/claude-2`).
    internal static string ModelOf(string key, string? litellmProvider)
    {
        if (!key.Contains('/', StringComparison.Ordinal))
            return key;
        var segments = key.Split('/');
        var start = 0;
        var routeSeen = false;
        while (start < segments.Length - 1)
        {
            var segment = segments[start];
            if (Qualifier().IsMatch(segment))
                start++;
            else if (!routeSeen && IsRoute(segment, litellmProvider))
            {
                start++;
                routeSeen = true;
            }
            else
                break;
        }
        return string.Join('/', segments, start, segments.Length - start);
    }

    private static bool IsRoute(string segment, string? litellmProvider) =>
        segment == litellmProvider
        || (litellmProvider is not null && litellmProvider.Length > segment.Length
            && litellmProvider.StartsWith(segment, StringComparison.Ordinal)
            && litellmProvider[segment.Length] is '-' or '_')
        || KnownRoutes.Contains(segment);

    // Route prefixes that appear under another litellm_provider value (`gemini/…` under vertex_ai-language-models).
    private static readonly HashSet<string> KnownRoutes =
        ["openai", "azure", "azure_ai", "bedrock", "vertex_ai", "gemini", "anthropic", "mistral", "cohere"];

    // Deployment zones, AWS regions, commitment terms and image sizes/qualities: pricing variants, not model ids.
    [GeneratedRegex(@"^(\*|global|global-standard|eu|us|apac|data-zone|[a-z]{2}(-gov)?-[a-z]+-\d+|\d+-month-commitment|\d+-x-\d+|max-x-max|\d+-steps|max-steps|hd|standard|low|medium|high)$", RegexOptions.CultureInvariant)]
    private static partial Regex Qualifier();

    private static string Evidence(string key, string? provider, string? mode, string? context, string? input, string? output, string? deprecation)
    {
        var text = new StringBuilder(key.Length + 120).Append(key);
        Add(text, "litellm_provider", provider);
        Add(text, "mode", mode);
        Add(text, "max_input_tokens", context);
        Add(text, "input_cost_per_token", input);
        Add(text, "output_cost_per_token", output);
        Add(text, "deprecation_date", deprecation);
        return text.Length <= MaxEvidence ? text.ToString() : text.ToString(0, MaxEvidence);

        static void Add(StringBuilder text, string name, string? value)
        {
            if (value is not null)
                text.Append(" | ").Append(name).Append(' ').Append(value);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.None => "nothing",
        _ => token.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
