using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

// Extractors must answer odd input with observations or an ExtractionException, nothing else.
public sealed class ExtractorRobustnessTests
{
    public static TheoryData<string> Providers => new() { "openai", "anthropic", "google-gemini", "google-vertex" };

    public static TheoryData<string, string> SavedPagesPerExtractor => new()
    {
        { "openai", "openai/deprecations.2024-06.md" },
        { "openai", "openai/deprecations.2025-11.html" },
        { "anthropic", "anthropic/model-deprecations.2025-06.md" },
        { "anthropic", "anthropic/model-deprecations.2025-12.md" },
        { "google-vertex", "google/vertex-model-versions.2025-05.md" },
        { "google-vertex", "google/vertex-model-versions.2026-07.md" },
        { "google-gemini", "google/gemini-api-release-notes.2025-11.html" },
    };

    private static IExtractor Create(string provider) => provider switch
    {
        "openai" => new OpenAiExtractor(),
        "anthropic" => new AnthropicExtractor(),
        "google-gemini" => new GeminiExtractor(),
        _ => new VertexExtractor(),
    };

    private const string Sample = """
        ## 2025-01-01: Sample

        | Model | State | Release date | Shutdown date | Retirement date | Replacement |
        |---|---|---|---|---|---|
        | `m-1` | Active | 2024-01-01 | 2026-01-01 | 2026-01-01 | `m-2` |
        | **Preview models** | | | | | |
        | `m-1-preview` (alias `m-p`) | Deprecated | May 2024 | No earlier than June 2026 | n/a | --- |
        """;

    private static void ReadsOrRejects(IExtractor extractor, string content)
    {
        try
        {
            var observations = extractor.Extract(content);
            Assert.All(observations, o => Assert.False(string.IsNullOrWhiteSpace(o.Model)));
        }
        catch (ExtractionException error)
        {
            // The guard's message would mean an unexpected exception inside the extractor.
            Assert.DoesNotContain("could not be read", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void TruncatedAndMutatedSampleNeverCrashes(string provider)
    {
        var extractor = Create(provider);
        var random = new Random(17);
        for (var length = 0; length <= Sample.Length; length += 7)
            ReadsOrRejects(extractor, Sample[..length]);
        for (var round = 0; round < 200; round++)
            ReadsOrRejects(extractor, Mutate(Sample, random));
    }

    [SavedPageTheory]
    [MemberData(nameof(SavedPagesPerExtractor))]
    public void TruncatedAndMutatedSavedPagesNeverCrash(string provider, string page)
    {
        var extractor = Create(provider);
        var content = SavedPages.Read(page);
        var random = new Random(23);
        for (var cut = 1; cut <= 10; cut++)
            ReadsOrRejects(extractor, content[..(content.Length * cut / 10)]);
        for (var round = 0; round < 8; round++)
            ReadsOrRejects(extractor, Mutate(content, random));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void EveryExtractorRejectsAnEmptyPage(string provider)
    {
        var error = Assert.Throws<ExtractionException>(() => Create(provider).Extract(""));

        Assert.Contains("found", error.Message, StringComparison.Ordinal);
    }

    // Deletes, duplicates or swaps in markup-significant characters at random places.
    private static string Mutate(string text, Random random)
    {
        const string Noise = "|<>`*-\n\t\u200B\u2011/()[]#";
        var chars = text.ToList();
        for (var i = 0; i < 1 + (text.Length / 200); i++)
        {
            if (chars.Count == 0)
                break;
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, Noise[random.Next(Noise.Length)]);
                    break;
                default:
                    chars[at] = Noise[random.Next(Noise.Length)];
                    break;
            }
        }
        return new string(chars.ToArray());
    }
}
