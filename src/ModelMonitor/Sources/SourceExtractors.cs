using System.Reflection;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Sources;

/// Which extractor reads a source: by kind first (the OpenAI models API), then by the source's provider among
/// the extractors in ModelMonitor.Sources.Extraction. A seam until the extraction branch's own registry is merged:
/// the crawler asks only "an extractor for this source, or why not".
public sealed class SourceExtractors
{
    private readonly Dictionary<string, Type> _byProvider;

    public SourceExtractors()
    {
        _byProvider = typeof(IExtractor).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, Namespace: "ModelMonitor.Sources.Extraction" }
                && typeof(IExtractor).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (Type: t, Provider: ((IExtractor)Activator.CreateInstance(t)!).Provider))
            .ToDictionary(x => x.Provider, x => x.Type, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<string> Providers => _byProvider.Keys;

    public (IExtractor? Extractor, string? Error) For(SourceDefinition source)
    {
        if (source.Kind == SourceKinds.OpenAiApi)
            return (new OpenAiModelsApi(), null);
        if (source.Kind == SourceKinds.Declarative)
            return (null, "declarative table sources need the declarative extractor, which is not in this build");
        return _byProvider.TryGetValue(source.Provider, out var type)
            ? ((IExtractor)Activator.CreateInstance(type)!, null)
            : (null, $"no extractor for provider '{source.Provider}' (known: {string.Join(", ", _byProvider.Keys.Order())})");
    }
}
