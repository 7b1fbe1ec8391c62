using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class OpenAiExtractorTests
{
    private static readonly OpenAiExtractor Extractor = new();

    // Our own small page in the shape of OpenAI's: dated announcement headings over tables.
    private const string SampleMarkdown = """
        # Deprecations

        ## Deprecation history

        ### 2025-03-01: Older reasoning previews

        | Shutdown date | Model / system | Recommended replacement |
        | --- | --- | --- |
        | 2025-09-01 | `o1-preview` (the alias `o1-preview-latest` resolves here) | `o3` or `o4-mini*` |
        | No earlier than 2025-12-01 | `o1-mini`<br>`o1-mini-2024-09-12` | `o4-mini` |
        | 2025-09-31 | `gpt-4o-audio-preview-2024-10-01` | `gpt-4o-audio-preview` |
        | 2025-09-01 | `/v1/edits` | `/v1/chat/completions` |
        | 2025-09-01 | New fine-tuning training on `babbage-002` | `gpt-4o-mini` |

        ### 2024-01-10: Base models

        #### Legacy chat models

        | Shutdown date | Legacy model | Legacy model price | Recommended replacement |
        | --- | --- | --- | --- |
        | at earliest 2024-06-13 | `gpt-4-0314` | $30.00 / 1M tokens | `gpt-4o` |
        """;

    private const string SampleHtml = """
        <!DOCTYPE html><html><body>
        <nav><a href="/docs">Docs</a></nav>
        <h1>Deprecations</h1>
        <h3 id="x">2025-04-28: Moderation<svg><path d="M0"/></svg></h3>
        <p>An email went out to affected accounts.</p>
        <table>
          <thead><tr><th>Model</th><th>Shutdown date</th><th>Replacement</th></tr></thead>
          <tbody>
            <tr><td><code>text-moderation-007</code></td><td>2025‑10‑27</td><td><code>omni-moderation</code></td></tr>
            <tr><td>text-moderation-stable</td><td>October 27, 2025</td><td>omni-moderation</td></tr>
            <tr><td>OpenAI-Beta: assistants=v1</td><td>2024-12-18</td><td>OpenAI-Beta: assistants=v2</td></tr>
          </tbody>
        </table>
        </body></html>
        """;

    private static Observation One(IReadOnlyList<Observation> observations, string model, string? sectionStart = null) =>
        Assert.Single(observations, o => o.Model == model && (sectionStart is null || o.Section!.StartsWith(sectionStart, StringComparison.Ordinal)));

    [Fact]
    public void SampleMarkdownRowCarriesDatesReplacementsAndAnnouncement()
    {
        var o1 = One(Extractor.Extract(SampleMarkdown), "o1-preview");

        Assert.Equal(("openai", "openai"), (o1.Provider, o1.Platform));
        Assert.Equal(new DateOnly(2025, 9, 1), o1.RetiresOn);
        Assert.Equal(new DateOnly(2025, 3, 1), o1.DeprecatedOn);
        Assert.Equal(["o3", "o4-mini"], o1.Replacements);
        Assert.Equal(LifecycleStatus.Deprecated, o1.Status);
        Assert.Equal("2025-03-01: Older reasoning previews", o1.Section);
        Assert.False(o1.RetiresOnIsEstimate);
    }

    [Fact]
    public void AliasesInAParentheticalBelongToTheSnapshot()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.Equal(["o1-preview-latest"], One(observations, "o1-preview").Aliases);
        Assert.DoesNotContain(observations, o => o.Model == "o1-preview-latest");
    }

    [Fact]
    public void BrSplitModelCellYieldsOneObservationPerId()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.True(One(observations, "o1-mini").RetiresOnIsEstimate);
        Assert.Equal(new DateOnly(2025, 12, 1), One(observations, "o1-mini-2024-09-12").RetiresOn);
    }

    [Fact]
    public void ImpossibleDateIsAProblemNotAGuess()
    {
        var audio = One(Extractor.Extract(SampleMarkdown), "gpt-4o-audio-preview-2024-10-01");

        Assert.Null(audio.RetiresOn);
        Assert.Equal(["impossible date '2025-09-31' in Shutdown date"], audio.Problems);
    }

    [Fact]
    public void EndpointsAndFeatureRowsAreNotModels()
    {
        var models = Extractor.Extract(SampleMarkdown).Select(o => o.Model).ToList();

        Assert.DoesNotContain(models, m => m.StartsWith('/'));
        Assert.DoesNotContain("babbage-002", models);
    }

    [Fact]
    public void LegacyModelTableIsLegacyWithAnEstimatedDateAndTheOuterAnnouncementDate()
    {
        var gpt4 = One(Extractor.Extract(SampleMarkdown), "gpt-4-0314");

        Assert.Equal(LifecycleStatus.Legacy, gpt4.Status);
        Assert.True(gpt4.RetiresOnIsEstimate);
        Assert.Equal(new DateOnly(2024, 6, 13), gpt4.RetiresOn);
        Assert.Equal(new DateOnly(2024, 1, 10), gpt4.DeprecatedOn);
        Assert.Equal("Legacy chat models", gpt4.Section);
    }

    [Fact]
    public void SampleHtmlWithReorderedColumnsAndNonBreakingHyphensIsRead()
    {
        var observations = Extractor.Extract(SampleHtml);

        Assert.Equal(["text-moderation-007", "text-moderation-stable"], observations.Select(o => o.Model));
        Assert.All(observations, o => Assert.Equal(new DateOnly(2025, 10, 27), o.RetiresOn));
        Assert.All(observations, o => Assert.Equal(["omni-moderation"], o.Replacements));
        Assert.All(observations, o => Assert.Equal("2025-04-28: Moderation", o.Section));
        Assert.Equal("text-moderation-007 | 2025-10-27 | omni-moderation", observations[0].Evidence);
    }

    [Fact]
    public void PageWithoutAShutdownTableIsRejectedWithAClearMessage()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract("# Models\n\n| Model | Context |\n|---|---|\n| gpt-4o | 128k |\n"));

        Assert.Contains("Shutdown date", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body><table><tr><td rowspan=\"x\">a</td></tr></table></body></html>")]
    [InlineData("| | |\n|-|-|\n| | |")]
    [InlineData("\0\0\0")]
    public void OddInputOnlyEverThrowsExtractionException(string content)
    {
        Assert.Throws<ExtractionException>(() => Extractor.Extract(content));
    }

    [SavedPageFact]
    public void SavedJune2024MarkdownFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("openai/deprecations.2024-06.md"));

        var gpt432k = One(observations, "gpt-4-32k");
        Assert.Equal((new DateOnly(2025, 6, 6), new DateOnly(2024, 6, 6)), (gpt432k.RetiresOn!.Value, gpt432k.DeprecatedOn!.Value));
        Assert.Equal(["gpt-4o"], gpt432k.Replacements);
        Assert.Equal("2024-06-06: GPT-4-32K and Vision Preview models", gpt432k.Section);
        Assert.Equal(new DateOnly(2024, 12, 6), One(observations, "gpt-4-vision-preview").RetiresOn);
        Assert.Equal(new DateOnly(2024, 9, 13), One(observations, "gpt-3.5-turbo-16k-0613").RetiresOn);
        Assert.Equal(["davinci-002", "gpt-3.5-turbo", "gpt-4o"], One(observations, "davinci", "Fine-tuning").Replacements);
        Assert.Equal(["babbage-002"], One(observations, "ada", "Base GPT").Replacements);
        Assert.Equal(new DateOnly(2023, 7, 6), One(observations, "text-search-curie-doc-001").DeprecatedOn);
        Assert.Equal("First-generation text embedding models", One(observations, "text-search-curie-doc-001").Section);
        Assert.Equal(new DateOnly(2023, 3, 23), One(observations, "code-cushman-001").RetiresOn);

        var legacy = One(observations, "gpt-4-0314");
        Assert.Equal((LifecycleStatus.Legacy, true), (legacy.Status!.Value, legacy.RetiresOnIsEstimate));
        // The same model in two announcements is reported once per section.
        Assert.Equal(2, observations.Count(o => o.Model == "gpt-4-32k-0314"));
        Assert.Equal(2, observations.Count(o => o.Model == "code-davinci-002"));
        Assert.DoesNotContain(observations, o => o.Model.StartsWith('/'));
        Assert.All(observations, o => Assert.Empty(o.Problems));
        Assert.Equal(47, observations.Count);
    }

    [SavedPageFact]
    public void SavedNovember2025HtmlFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("openai/deprecations.2025-11.html"));

        var gpt40125 = One(observations, "gpt-4-0125-preview");
        Assert.Equal(new DateOnly(2026, 3, 26), gpt40125.RetiresOn);
        Assert.Equal(new DateOnly(2025, 9, 26), gpt40125.DeprecatedOn);
        Assert.Equal(["gpt-4-turbo-preview", "gpt-4-turbo-preview-completions"], gpt40125.Aliases);
        Assert.Equal(["gpt-5", "gpt-4.1"], gpt40125.Replacements);
        Assert.Equal(["gpt-5-mini", "gpt-4.1-mini"], One(observations, "babbage-002").Replacements);
        Assert.Equal(new DateOnly(2026, 9, 28), One(observations, "babbage-002").RetiresOn);
        Assert.Equal(new DateOnly(2026, 2, 27), One(observations, "gpt-4o-realtime-preview-2025-06-03").RetiresOn);
        Assert.Equal(["gpt-realtime"], One(observations, "gpt-4o-realtime-preview").Replacements);
        Assert.Equal(new DateOnly(2025, 7, 28), One(observations, "o1-preview").RetiresOn);
        Assert.Equal(new DateOnly(2025, 10, 27), One(observations, "o1-mini").RetiresOn);
        Assert.Equal(["o4-mini"], One(observations, "o1-mini").Replacements);
        Assert.Equal(new DateOnly(2025, 7, 14), One(observations, "gpt-4.5-preview").RetiresOn);
        Assert.Equal("2025-04-28: text-moderation", One(observations, "text-moderation-latest").Section);
        Assert.True(One(observations, "gpt-4-0314", "2023-06-13").RetiresOnIsEstimate);

        // Headers, APIs and "new fine-tuning training on X" rows are not model retirements.
        Assert.DoesNotContain(observations, o => o.Model.Contains("assistants", StringComparison.OrdinalIgnoreCase)
            || o.Model.Contains("realtime=v1", StringComparison.Ordinal) || o.Model.StartsWith('/'));
        Assert.Single(observations, o => o.Model == "davinci-002");
        Assert.All(observations, o => Assert.Empty(o.Problems));
        Assert.Equal(65, observations.Count);
    }
}
