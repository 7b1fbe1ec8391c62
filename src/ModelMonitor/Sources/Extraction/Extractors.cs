using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// The built-in extractors by provider name, and the JSON form of their output (the `extract` contract).
public static class Extractors
{
    // A new built-in extractor is added here; ExtractorsTests checks that every one in the assembly is.
    private static readonly FrozenDictionary<string, Func<IExtractor>> Registry = new Func<IExtractor>[]
    {
        () => new AnthropicExtractor(),
        () => new AzureOpenAiExtractor(),
        () => new BedrockExtractor(),
        () => new CohereExtractor(),
        () => new GeminiExtractor(),
        () => new LiteLlmExtractor(),
        () => new MistralExtractor(),
        () => new OpenAiExtractor(),
        () => new VertexExtractor(),
    }.ToFrozenDictionary(create => create().Provider, StringComparer.Ordinal);

    /// The provider names that have a built-in extractor, sorted.
    public static IReadOnlyList<string> Names => [.. Registry.Keys.Order(StringComparer.Ordinal)];

    /// A new extractor for the provider, or null when there is none of that name.
    public static IExtractor? Create(string provider) =>
        provider is not null && Registry.TryGetValue(provider, out var create) ? create() : null;

    /// The observations as the `extract` verb prints them.
    public static string ToJson(IReadOnlyList<Observation> observations) =>
        JsonSerializer.Serialize(observations, (JsonTypeInfo<IReadOnlyList<Observation>>)JsonOptions.GetTypeInfo(typeof(IReadOnlyList<Observation>)));

    /// camelCase fields, enums as lowercase strings (`deprecated`, `day`), DateOnly as YYYY-MM-DD, nulls written.
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // Evidence holds quotes, arrows and non-ASCII dashes; the output is JSON for people and tools, not HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // Generated metadata: no reflection, so `extract` works in the native command-line build too.
            TypeInfoResolver = ObservationJson.Default,
        };
        options.Converters.Add(new JsonStringEnumConverter<LifecycleStatus>(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new JsonStringEnumConverter<DatePrecision>(JsonNamingPolicy.KebabCaseLower));
        options.MakeReadOnly();
        return options;
    }
}

[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(IReadOnlyList<Observation>))]
internal sealed partial class ObservationJson : JsonSerializerContext;
