using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelMonitor.Sources.Extraction;

/// The built-in extractors by provider name, and the JSON form of their output (the `extract` contract).
/// Extractors are found by reflection: every non-abstract IExtractor in this assembly with a public
/// parameterless constructor. Adding one needs no edit here; two with the same provider name are an error.
public static class Extractors
{
    private static readonly Lazy<IReadOnlyDictionary<string, Type>> Registry = new(Discover);

    /// The provider names that have a built-in extractor, sorted.
    public static IReadOnlyList<string> Names => [.. Registry.Value.Keys.Order(StringComparer.Ordinal)];

    /// A new extractor for the provider, or null when there is none of that name.
    public static IExtractor? Create(string provider) =>
        provider is not null && Registry.Value.TryGetValue(provider, out var type) ? (IExtractor)Activator.CreateInstance(type)! : null;

    private static Dictionary<string, Type> Discover()
    {
        var found = new Dictionary<string, Type>(StringComparer.Ordinal);
        var candidates = typeof(IExtractor).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IExtractor).IsAssignableFrom(t)
                && t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null);
        foreach (var type in candidates)
        {
            var provider = ((IExtractor)Activator.CreateInstance(type)!).Provider;
            if (found.TryGetValue(provider, out var other))
                throw new InvalidOperationException($"Two extractors claim provider '{provider}': {other.FullName} and {type.FullName}. Provider names must be unique.");
            found[provider] = type;
        }
        return found;
    }

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
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
