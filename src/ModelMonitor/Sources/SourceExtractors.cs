using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Sources;

/// Which extractor reads a source: the OpenAI and Bedrock models APIs and declarative tables by kind, every other source by
/// its provider among the built-in extractors (<see cref="Extractors"/>).
public static class SourceExtractors
{
    public static (IExtractor? Extractor, string? Error) For(SourceDefinition source) => source.Kind switch
    {
        SourceKinds.OpenAiApi => (new OpenAiModelsApi(), null),
        SourceKinds.BedrockApi => (new BedrockModelsApi(), null),
        SourceKinds.Declarative when source.TableOptions() is { } options && options.Validate().Count == 0 => (new DeclarativeTableExtractor(options), null),
        SourceKinds.Declarative => (null, $"the Table options of source '{source.Name}' are missing or invalid"),
        _ => Extractors.Create(source.Provider) is { } extractor
            ? (extractor, null)
            : (null, $"no extractor for provider '{source.Provider}' (built in: {string.Join(", ", Extractors.Names)}); use Kind 'declarative' with Table options for another provider"),
    };
}
