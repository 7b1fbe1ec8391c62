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

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => ReadText(content));

    private static List<Observation> ReadText(string content)
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
        var pass = new Pass();
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
            observations.Add(pass.ReadEntry(key, ref reader, json));
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new ExtractionException($"LiteLLM registry has {Describe(reader.TokenType)} where a model key was expected.");
        if (reader.Read())
            throw new ExtractionException("LiteLLM registry has content after its closing brace.");
        if (observations.Count == 0)
            throw new ExtractionException("LiteLLM registry has no model entries.");
        return observations;
    }

    private enum Field
    {
        Other,
        Provider,
        Mode,
        Deprecation,
        Context,
        Input,
        Output,
    }

    // Where a value's text sits in the input (so evidence needs no string per value), or the text itself
    // when the JSON escaped it.
    private readonly record struct Raw(int Start, int Length, string? Text)
    {
        public bool IsSet => Length > 0 || Text is not null;
    }

    /// State reused across the entries of one file: the evidence builder and the last provider name seen
    /// (entries come grouped by provider, so most names are not allocated again).
    private sealed class Pass
    {
        private readonly StringBuilder _evidence = new(256);
        private byte[] _providerBytes = [];
        private string? _provider;

        public Observation ReadEntry(string key, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            string? litellmProvider = null, deprecation = null;
            Raw providerRaw = default, modeRaw = default, deprecationRaw = default, contextRaw = default, inputRaw = default, outputRaw = default;
            int? context = null;
            decimal? input = null, output = null;
            List<string>? problems = null;

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                reader.Read();
                switch (field)
                {
                    case Field.Provider when reader.TokenType == JsonTokenType.String:
                        providerRaw = RawOf(ref reader);
                        litellmProvider = ProviderName(ref reader);
                        break;
                    case Field.Mode when reader.TokenType == JsonTokenType.String:
                        modeRaw = RawOf(ref reader);
                        break;
                    case Field.Deprecation when reader.TokenType == JsonTokenType.String:
                        deprecationRaw = RawOf(ref reader);
                        deprecation = reader.GetString();
                        break;
                    case Field.Provider or Field.Mode or Field.Deprecation:
                        if (reader.TokenType != JsonTokenType.Null)
                            (problems ??= []).Add($"{NameOf(field)} is {Describe(reader.TokenType)}, not a string");
                        break;
                    case Field.Context:
                        contextRaw = RawOf(ref reader);
                        context = ReadTokens(ref reader, contextRaw, json, ref problems);
                        break;
                    case Field.Input:
                        inputRaw = RawOf(ref reader);
                        input = ReadPerMillion(ref reader, NameOf(field), inputRaw, json, ref problems);
                        break;
                    case Field.Output:
                        outputRaw = RawOf(ref reader);
                        output = ReadPerMillion(ref reader, NameOf(field), outputRaw, json, ref problems);
                        break;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    reader.Skip();
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
                Evidence = Evidence(key, json, providerRaw, modeRaw, contextRaw, inputRaw, outputRaw, deprecationRaw),
                Problems = problems ?? (IReadOnlyList<string>)[],
                ContextWindow = context,
                InputCostPerMillionTokens = input,
                OutputCostPerMillionTokens = output,
            };
        }

        private string ProviderName(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped)
                return reader.GetString()!;
            if (_provider is not null && reader.ValueSpan.SequenceEqual(_providerBytes))
                return _provider;
            _providerBytes = reader.ValueSpan.ToArray();
            return _provider = reader.GetString()!;
        }

        private string Evidence(string key, ReadOnlySpan<byte> json, Raw provider, Raw mode, Raw context, Raw input, Raw output, Raw deprecation)
        {
            var text = _evidence.Clear().Append(key);
            Add(text, "litellm_provider", provider, json);
            Add(text, "mode", mode, json);
            Add(text, "max_input_tokens", context, json);
            Add(text, "input_cost_per_token", input, json);
            Add(text, "output_cost_per_token", output, json);
            Add(text, "deprecation_date", deprecation, json);
            return text.Length <= MaxEvidence ? text.ToString() : text.ToString(0, MaxEvidence);
        }

        private static void Add(StringBuilder text, string name, Raw raw, ReadOnlySpan<byte> json)
        {
            if (!raw.IsSet)
                return;
            text.Append(" | ").Append(name).Append(' ');
            if (raw.Text is not null)
            {
                text.Append(raw.Text);
                return;
            }
            var bytes = json.Slice(raw.Start, raw.Length);
            Span<char> chars = stackalloc char[128];
            if (bytes.Length <= chars.Length)
                text.Append(chars[..Encoding.UTF8.GetChars(bytes, chars)]);
            else
                text.Append(Encoding.UTF8.GetString(bytes));
        }
    }

    private static Field FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return reader.ValueTextEquals("litellm_provider"u8) ? Field.Provider
                : reader.ValueTextEquals("mode"u8) ? Field.Mode
                : reader.ValueTextEquals("deprecation_date"u8) ? Field.Deprecation
                : reader.ValueTextEquals("max_input_tokens"u8) ? Field.Context
                : reader.ValueTextEquals("input_cost_per_token"u8) ? Field.Input
                : reader.ValueTextEquals("output_cost_per_token"u8) ? Field.Output
                : Field.Other;
        }
        // Most of an entry's 10-30 properties are other facts; the length rules them out without comparing.
        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 when name.SequenceEqual("mode"u8) => Field.Mode,
            16 when name.SequenceEqual("litellm_provider"u8) => Field.Provider,
            16 when name.SequenceEqual("deprecation_date"u8) => Field.Deprecation,
            16 when name.SequenceEqual("max_input_tokens"u8) => Field.Context,
            20 when name.SequenceEqual("input_cost_per_token"u8) => Field.Input,
            21 when name.SequenceEqual("output_cost_per_token"u8) => Field.Output,
            _ => Field.Other,
        };
    }

    private static string NameOf(Field field) => field switch
    {
        Field.Provider => "litellm_provider",
        Field.Mode => "mode",
        Field.Deprecation => "deprecation_date",
        Field.Context => "max_input_tokens",
        Field.Input => "input_cost_per_token",
        _ => "output_cost_per_token",
    };

    private static Raw RawOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String when reader.ValueIsEscaped => new Raw(0, 0, reader.GetString()),
        JsonTokenType.String => new Raw((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null),
        JsonTokenType.Number => new Raw((int)reader.TokenStartIndex, reader.ValueSpan.Length, null),
        _ => default,
    };

    private static int? ReadTokens(ref Utf8JsonReader reader, Raw raw, ReadOnlySpan<byte> json, ref List<string>? problems)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            (problems ??= []).Add($"max_input_tokens is {Describe(reader.TokenType)}, not a number");
            return null;
        }
        if (reader.TryGetInt32(out var whole) && whole >= 0)
            return whole;
        // A few entries write whole numbers as floats (2000000.0).
        if (reader.TryGetDouble(out var d) && d >= 0 && d <= int.MaxValue && d == Math.Floor(d))
            return (int)d;
        (problems ??= []).Add($"max_input_tokens '{Encoding.UTF8.GetString(json.Slice(raw.Start, raw.Length))}' is not a whole number of tokens");
        return null;
    }

    private static decimal? ReadPerMillion(ref Utf8JsonReader reader, string field, Raw raw, ReadOnlySpan<byte> json, ref List<string>? problems)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.Number)
        {
            (problems ??= []).Add($"{field} is {Describe(reader.TokenType)}, not a number");
            return null;
        }
        // Read as decimal from the text, so 2.75e-06 is exactly 2.75 per million (a double would not be).
        if (reader.TryGetDecimal(out var perToken) && perToken >= 0 && perToken < 1_000_000m)
            return perToken * 1_000_000m;
        (problems ??= []).Add($"{field} '{Encoding.UTF8.GetString(json.Slice(raw.Start, raw.Length))}' is not a usable price per token");
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
        var start = 0;
        var routeSeen = false;
        // Span-based: this runs once per entry of a 1,600-entry file.
        for (var slash = key.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = key.IndexOf('/', start))
        {
            var segment = key.AsSpan(start, slash - start);
            if (Qualifier().IsMatch(segment))
                start = slash + 1;
            else if (!routeSeen && IsRoute(segment, litellmProvider))
            {
                start = slash + 1;
                routeSeen = true;
            }
            else
                break;
        }
        return start == 0 || start == key.Length ? key : key[start..];
    }

    private static bool IsRoute(ReadOnlySpan<char> segment, string? litellmProvider) =>
        segment.Length > 0
        && ((litellmProvider is not null && litellmProvider.AsSpan().StartsWith(segment, StringComparison.Ordinal)
                && (litellmProvider.Length == segment.Length || litellmProvider[segment.Length] is '-' or '_'))
            || KnownRouteLookup.Contains(segment));

    // Route prefixes that appear under another litellm_provider value (`gemini/…` under vertex_ai-language-models).
    private static readonly HashSet<string> KnownRoutes =
        ["openai", "azure", "azure_ai", "bedrock", "vertex_ai", "gemini", "anthropic", "mistral", "cohere"];

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> KnownRouteLookup = KnownRoutes.GetAlternateLookup<ReadOnlySpan<char>>();

    // Deployment zones, AWS regions, commitment terms and image sizes/qualities: pricing variants, not model ids.
    [GeneratedRegex(@"^(\*|global|global-standard|eu|us|apac|data-zone|[a-z]{2}(-gov)?-[a-z]+-\d+|\d+-month-commitment|\d+-x-\d+|max-x-max|\d+-steps|max-steps|hd|standard|low|medium|high)$", RegexOptions.CultureInvariant)]
    private static partial Regex Qualifier();

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
