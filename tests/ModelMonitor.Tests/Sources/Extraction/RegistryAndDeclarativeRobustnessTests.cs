using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

// The Cohere, LiteLLM and declarative extractors answer odd input with observations or an ExtractionException.
public sealed class RegistryAndDeclarativeRobustnessTests
{
    private const string MarkdownSample = """
        ### 2025-09-15: Sample announcement

        Models leaving:
        - `m-1` (alias `m`)
        - `m-2` shutdown 2026-01-31, use `m-3` instead

        | Shut-off date | Deprecated model | Suggested replacement | State |
        |---|---|---|---|
        | 2025-04-30 | `m-4`<br>`m-5` | `m-6` | Deprecated |
        | No earlier than June 2026 | `m-7`* | --- | Legacy |
        """;

    private const string JsonSample = """
        {"sample_spec": {"litellm_provider": "x"}, "azure/eu/m-1": {"litellm_provider": "azure", "max_input_tokens": 8192.0,
         "input_cost_per_token": 2.75e-06, "deprecation_date": "2025-06-06", "metadata": {"a": [1, {"b": null}]}}, "last_updated": "x"}
        """;

    private static readonly DeclarativeTableOptions Options = new()
    {
        Provider = "sample",
        Heading = "announcement",
        Columns = new Dictionary<string, DeclarativeColumn>
        {
            ["Model"] = new() { Header = "Deprecated model" },
            ["RetiresOn"] = new() { Header = "Shut-off", Pattern = @"(\S+ ?\S*)$" },
            ["Replacement"] = new() { Header = "Replacement" },
            ["Status"] = new() { Header = "State" },
        },
    };

    public static TheoryData<string> Extractors => new() { "cohere", "litellm", "declarative" };

    private static IExtractor Create(string name) => name switch
    {
        "cohere" => new CohereExtractor(),
        "litellm" => new LiteLlmExtractor(),
        _ => new DeclarativeTableExtractor(Options),
    };

    private static void ReadsOrRejects(IExtractor extractor, string content)
    {
        try
        {
            var observations = extractor.Extract(content);
            Assert.All(observations, o => Assert.False(string.IsNullOrWhiteSpace(o.Model)));
        }
        catch (ExtractionException error)
        {
            // The guard's wording means an unexpected exception escaped the extractor's own checks.
            Assert.DoesNotContain("could not be read", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void TruncatedAndMutatedSamplesNeverCrash(string name)
    {
        var extractor = Create(name);
        var random = new Random(29);
        foreach (var sample in new[] { MarkdownSample, JsonSample })
        {
            for (var length = 0; length <= sample.Length; length += 5)
                ReadsOrRejects(extractor, sample[..length]);
            for (var round = 0; round < 300; round++)
                ReadsOrRejects(extractor, Mutate(sample, random));
        }
    }

    [SavedPageTheory]
    [InlineData("cohere", "cohere/deprecations.2025-09-16.mdx")]
    [InlineData("cohere", "changelogs/cohere-changelog.2025-09-16.mdx")]
    [InlineData("litellm", "litellm/model_prices_and_context_window.2025-02-06.json")]
    [InlineData("declarative", "cohere/deprecations.2024-12-01.mdx")]
    public void TruncatedAndMutatedSavedPagesNeverCrash(string name, string page)
    {
        var extractor = Create(name);
        var content = SavedPages.Read(page);
        var random = new Random(31);
        for (var cut = 1; cut <= 10; cut++)
            ReadsOrRejects(extractor, content[..(content.Length * cut / 10)]);
        for (var round = 0; round < 8; round++)
            ReadsOrRejects(extractor, Mutate(content, random));
    }

    [Fact]
    public void NullContentIsRejectedNotACrash()
    {
        foreach (var name in new[] { "cohere", "litellm", "declarative" })
            Assert.Throws<ExtractionException>(() => Create(name).Extract(null!));
    }

    // Deletes, duplicates or swaps in characters that matter to Markdown, HTML and JSON at random places.
    private static string Mutate(string text, Random random)
    {
        const string Noise = "|<>`*-\n\t\u200B\u2011/()[]{}\",:#\\";
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
