using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

/// Every saved page (any provider's) and cut-off copies of it either read into well-formed observations or
/// fail with a deliberate ExtractionException, not one wrapping an internal exception (a bug).
public sealed class AzureBedrockMistralRobustnessTests
{
    private static readonly IExtractor[] Extractors = [new AzureOpenAiExtractor(), new BedrockExtractor(), new MistralExtractor()];

    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        if (SavedPages.Root is { } root)
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".json", StringComparison.Ordinal)))
                data.Add(Path.GetRelativePath(root, file));
        }
        else
        {
            data.Add("(none)");
        }
        return data;
    }

    [SavedPageTheory]
    [MemberData(nameof(Pages))]
    public void ASavedPageOrAnyCutOffCopyOfItReadsOrFailsWithAnExtractionError(string page)
    {
        var content = SavedPages.Read(page);
        var cuts = new[] { content.Length, content.Length * 3 / 4, content.Length / 2, content.Length / 3, content.Length / 7 };
        foreach (var extractor in Extractors)
        {
            foreach (var cut in cuts)
            {
                var copy = content[..cut];
                IReadOnlyList<Observation> observations = [];
                var error = Record.Exception(() => observations = extractor.Extract(copy));
                Assert.True(error is null or ExtractionException, $"{extractor.Provider} on {page}[..{cut}]: {error}");
                Assert.DoesNotContain("Exception:", error?.Message ?? "", StringComparison.Ordinal);
                Assert.All(observations, o => Assert.False(string.IsNullOrWhiteSpace(o.Model)));
                Assert.All(observations, o => Assert.True(o.Evidence is { Length: > 0 and <= 500 }));
                Assert.All(observations, o => Assert.Equal(extractor.Provider, o.Provider));
            }
        }
    }
}
