using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class AzureOpenAiExtractorTests
{
    private static readonly AzureOpenAiExtractor Extractor = new();

    // Our own sample in the shape of the Azure OpenAI retirement article: name + version, a row with two
    // names, a row with two versions, estimates, a placeholder, an impossible date, a fine-tuning table.
    private const string SampleMarkdown = """
        ---
        title: Sample retirements
        ---

        # Sample model retirements

        ## Current models

        | Model | Version | Retirement date | Suggested replacement |
        | --- | --- | --- | --- |
        | `gpt-35-turbo`<br>`gpt-35-turbo-16k` | 0613 | No earlier than Nov 1, 2024 | `gpt-4o-mini` |
        | `gpt-4` | 0314, 0613 | June 6, 2025 | `gpt-4o` version: `2024-11-20` or `gpt-4.1`* |
        | `gpt-4` | vision-preview | To be upgraded to `gpt-4` version: `turbo-2024-04-09`, starting no sooner than January 27, 2025 | `gpt-4o` |
        | `o1` | 2024-12-17 | 2026-09-31 | n/a |
        | `text-embedding-3-small` | | N/A | |
        | `gpt-4o-mini` | 2024-07-18<sup>1</sup> | No earlier than 2026-03-31 | |
        | `gpt-4.1`<br>`o3` | 2025-04-14<br>2025-04-16 | No earlier than April 11, 2026 | |

        ## Fine-tuned models

        | Model | Version | Training retirement date | Deployment retirement date |
        | --- | --- | --- | --- |
        | `gpt-4o` | 2024-08-06 | At base model retirement | One year after training retirement |

        ## Deprecated models

        | Model | Deprecation date | Retirement date | Suggested replacement |
        | --- | --- | --- | --- |
        | `gpt-4o-realtime-preview` - 2024-10-01 | February 25, 2025 | March 26, 2025 | `gpt-4o-realtime-preview` (version 2024-12-17) |
        | text-davinci-003 | July 6, 2023 | June 14, 2024 | gpt-35-turbo-instruct |

        ## Retired models

        | Model | Retired on | Replacement |
        | --- | --- | --- |
        | `gpt-4o` (2024-05-13) | 2026-03-31 | `gpt-5.1` |
        | `gpt-4` version: `turbo-2024-04-09` | 2025-09-01 | `gpt-4o` |
        | All fine-tuned models follow the retirement of their base model. | 2025-09-01 | |
        """;

    // Our own sample in the shape of the Foundry partner-models page: display names, links to the catalog.
    private const string SampleHtml = """
        <!DOCTYPE html>
        <html><body>
        <h1>Partner model lifecycle</h1>
        <h2>Timelines</h2>
        <h4>Cohere</h4>
        <table>
          <thead><tr><th>Model</th><th>Legacy date (UTC)</th><th>Deprecation date (UTC)</th><th>Retirement date (UTC)</th><th>Suggested replacement model</th></tr></thead>
          <tbody>
            <tr><td><a href="https://ai.azure.com/explore/models/Cohere-command-r/version/1/registry/azureml-cohere">Command R</a></td>
                <td>February 24, 2025</td><td>March 25, 2025</td><td>June 30, 2025</td>
                <td><a href="https://aka.ms/azureai/landing/Cohere-command-r-08-2024">Cohere Command R 08-2024</a></td></tr>
            <tr><td>Old Embed Model</td><td>N/A</td><td>April 1, 2025</td><td>July 1, 2025</td><td>N/A</td></tr>
            <tr><td><a href="https://ai.azure.com/explore/models/Phi-3-mini-4k-instruct/version/15/registry/azureml">Phi-3-mini-4k-instruct</a></td>
                <td>June 9, 2025</td><td>June 30, 2025</td><td>August 30, 2025</td>
                <td><a href="https://ai.azure.com/explore/models/Phi-4-mini-instruct/version/1/registry/azureml">Phi-4-mini-instruct</a></td></tr>
          </tbody>
        </table>
        <h2>Azure OpenAI</h2>
        <table>
          <tr><th>Model Name</th><th>Model Version</th><th>Lifecycle Status</th><th>Deprecation Date</th><th>Retirement Date</th><th>Replacement Model</th></tr>
          <tr><td><code>gpt-5-chat</code></td><td>2025-08-07</td><td>Preview</td><td>n/a</td><td>2026&#8209;03&#8209;01</td><td><code>gpt-5.2-chat</code></td></tr>
          <tr><td><code>gpt-4o</code></td><td>2024-11-20</td><td>Generally Available</td><td>2025-11-20</td><td>2026-06-05</td><td><code>gpt-5.1</code></td></tr>
        </table>
        </body></html>
        """;

    private static Observation Single(IReadOnlyList<Observation> observations, string model, string? version, string? section = null) =>
        Assert.Single(observations, o => o.Model == model && o.Version == version && (section is null || o.Section == section));

    private static IReadOnlyList<Observation> Saved(string page) => Extractor.Extract(SavedPages.Read("azure-openai/" + page));

    [Fact]
    public void ProviderNameIsAzureOpenAi() => Assert.Equal("azure-openai", Extractor.Provider);

    [Fact]
    public void SampleMarkdownSplitsNamesAndVersionsIntoOneObservationEach()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.Equal(new DateOnly(2024, 11, 1), Single(observations, "gpt-35-turbo", "0613").RetiresOn);
        Assert.True(Single(observations, "gpt-35-turbo-16k", "0613").RetiresOnIsEstimate);
        Assert.Equal(new DateOnly(2025, 6, 6), Single(observations, "gpt-4", "0314").RetiresOn);
        Assert.False(Single(observations, "gpt-4", "0613").RetiresOnIsEstimate);
        Assert.Equal(["gpt-4o", "gpt-4.1"], Single(observations, "gpt-4", "0613").Replacements);
        Assert.All(observations, o => Assert.Equal("azure-openai", o.Platform));
    }

    [Fact]
    public void SampleMarkdownPairsNamesAndVersionsGivenLineByLine()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.Equal(new DateOnly(2026, 4, 11), Single(observations, "gpt-4.1", "2025-04-14").RetiresOn);
        Assert.Equal(new DateOnly(2026, 4, 11), Single(observations, "o3", "2025-04-16").RetiresOn);
        Assert.DoesNotContain(observations, o => o.Model == "gpt-4.1" && o.Version == "2025-04-16");
    }

    [Fact]
    public void SampleMarkdownReadsTheUpgradeDateNotTheDateInsideTheVersion()
    {
        var preview = Single(Extractor.Extract(SampleMarkdown), "gpt-4", "vision-preview");

        Assert.Equal(new DateOnly(2025, 1, 27), preview.RetiresOn);
        Assert.True(preview.RetiresOnIsEstimate);
    }

    [Fact]
    public void SampleMarkdownReportsAnImpossibleDateWithoutGuessing()
    {
        var o1 = Single(Extractor.Extract(SampleMarkdown), "o1", "2024-12-17");

        Assert.Null(o1.RetiresOn);
        Assert.Contains(o1.Problems, p => p.Contains("2026-09-31", StringComparison.Ordinal) && p.Contains("Retirement date", StringComparison.Ordinal));
        Assert.Empty(o1.Replacements);
    }

    [Fact]
    public void SampleMarkdownPlaceholderAndMissingVersionMeanNoDateAndNoVersion()
    {
        var embedding = Single(Extractor.Extract(SampleMarkdown), "text-embedding-3-small", null);

        Assert.Null(embedding.RetiresOn);
        Assert.Empty(embedding.Problems);
        Assert.Equal(LifecycleStatus.Active, embedding.Status);
    }

    [Fact]
    public void SampleMarkdownSkipsTheFineTuningTable()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.DoesNotContain(observations, o => o.Section == "Fine-tuned models");
        Assert.DoesNotContain(observations, o => o.Model == "gpt-4o" && o.Version == "2024-08-06");
    }

    [Fact]
    public void SampleMarkdownReadsAVersionWrittenInTheModelCellOfTheDeprecatedTable()
    {
        var observations = Extractor.Extract(SampleMarkdown);
        var realtime = Single(observations, "gpt-4o-realtime-preview", "2024-10-01");

        Assert.Equal(LifecycleStatus.Deprecated, realtime.Status);
        Assert.Equal(new DateOnly(2025, 2, 25), realtime.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 3, 26), realtime.RetiresOn);
        Assert.Equal(["gpt-4o-realtime-preview"], realtime.Replacements);
        Assert.Equal("Deprecated models", realtime.Section);
        Assert.Equal(["gpt-35-turbo-instruct"], Single(observations, "text-davinci-003", null).Replacements);
    }

    [Fact]
    public void SampleMarkdownReadsVersionsWrittenInParenthesesOrAfterTheWordVersion()
    {
        var retired = Extractor.Extract(SampleMarkdown).Where(o => o.Section == "Retired models").ToList();

        Assert.Equal(2, retired.Count);
        Assert.All(retired, o => Assert.Equal(LifecycleStatus.Retired, o.Status));
        Assert.Equal(new DateOnly(2026, 3, 31), Single(retired, "gpt-4o", "2024-05-13").RetiresOn);
        Assert.Equal(["gpt-4o"], Single(retired, "gpt-4", "turbo-2024-04-09").Replacements);
    }

    [Fact]
    public void SampleMarkdownDropsAFootnoteMarkAfterAVersion()
    {
        var mini = Single(Extractor.Extract(SampleMarkdown), "gpt-4o-mini", "2024-07-18");

        Assert.Equal(new DateOnly(2026, 3, 31), mini.RetiresOn);
        Assert.True(mini.RetiresOnIsEstimate);
    }

    [Fact]
    public void SampleHtmlNamesPartnerModelsByTheirCatalogLinkWhenTheDisplayNameIsNotAnId()
    {
        var observations = Extractor.Extract(SampleHtml);
        var commandR = Single(observations, "Cohere-command-r", null);

        Assert.Equal(["Cohere-command-r-08-2024"], commandR.Replacements);
        Assert.Equal(new DateOnly(2025, 3, 25), commandR.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 6, 30), commandR.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, commandR.Status);
        Assert.Equal("Cohere", commandR.Section);
        Assert.Empty(commandR.Problems);
        Assert.Equal(["Phi-4-mini-instruct"], Single(observations, "Phi-3-mini-4k-instruct", null).Replacements);
    }

    [Fact]
    public void SampleHtmlFallsBackToASlugWithAProblemWhenThePageGivesNoId()
    {
        var old = Single(Extractor.Extract(SampleHtml), "old-embed-model", null);

        Assert.Equal(new DateOnly(2025, 7, 1), old.RetiresOn);
        Assert.Contains(old.Problems, p => p.Contains("'Old Embed Model'", StringComparison.Ordinal));
        Assert.Empty(old.Replacements);
    }

    [Fact]
    public void SampleHtmlTakesStatusFromTheLifecycleColumn()
    {
        var observations = Extractor.Extract(SampleHtml);
        var chat = Single(observations, "gpt-5-chat", "2025-08-07");
        var gpt4o = Single(observations, "gpt-4o", "2024-11-20");

        Assert.Equal(LifecycleStatus.Preview, chat.Status);
        Assert.Null(chat.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 3, 1), chat.RetiresOn);
        Assert.Equal(LifecycleStatus.Active, gpt4o.Status);
        Assert.Equal(new DateOnly(2025, 11, 20), gpt4o.DeprecatedOn);
        Assert.Equal(["gpt-5.1"], gpt4o.Replacements);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# Some page\n\nNo tables here at all.")]
    [InlineData("<html><body><table><tr><th>Region</th><th>Price</th></tr><tr><td>us</td><td>1</td></tr></table></body></html>")]
    [InlineData("{\"gpt-4\": {\"deprecation_date\": \"2025-01-01\"}}")]
    [InlineData("\0\u0001\u0002 binary \uFFFD")]
    public void APageWithoutARetirementTableIsAnExtractionError(string content)
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract(content));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void TheMissingTableErrorNamesTheColumnsItLooksFor()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract("# Models\n\n| Model | Price |\n|---|---|\n| gpt-4 | 1 |\n"));

        Assert.Contains("Retirement date", error.Message, StringComparison.Ordinal);
    }

    [SavedPageFact]
    public void SavedMarch2024ArticleYieldsEveryCurrentAndDeprecatedModel()
    {
        var observations = Saved("model-retirements.2024-03.md");

        Assert.Equal(44, observations.Count);
        Assert.Equal(17, observations.Count(o => o.Section == "Current models"));
        Assert.Equal(27, observations.Count(o => o.Section == "Deprecated models"));
        Assert.All(observations, o => Assert.Equal("azure-openai", o.Provider));
    }

    [SavedPageFact]
    public void SavedMarch2024ArticleReadsNoEarlierThanDatesAsEstimates()
    {
        var observations = Saved("model-retirements.2024-03.md");
        var gpt35 = Single(observations, "gpt-35-turbo", "0301");

        Assert.Equal(new DateOnly(2024, 6, 13), gpt35.RetiresOn);
        Assert.True(gpt35.RetiresOnIsEstimate);
        Assert.Equal(LifecycleStatus.Active, gpt35.Status);
        Assert.Equal(new DateOnly(2024, 11, 17), Single(observations, "gpt-35-turbo", "1106").RetiresOn);
        Assert.Equal(new DateOnly(2024, 9, 30), Single(observations, "gpt-4-32k", "0613").RetiresOn);
        Assert.Equal(new DateOnly(2025, 9, 14), Single(observations, "gpt-3.5-turbo-instruct", "0914").RetiresOn);
    }

    [SavedPageFact]
    public void SavedMarch2024ArticleSplitsTheTwoNamesSharingVersion0613()
    {
        var observations = Saved("model-retirements.2024-03.md");

        Assert.Equal(new DateOnly(2024, 7, 13), Single(observations, "gpt-35-turbo", "0613").RetiresOn);
        Assert.Equal(new DateOnly(2024, 7, 13), Single(observations, "gpt-35-turbo-16k", "0613").RetiresOn);
        Assert.Equal(new DateOnly(2024, 7, 13), Single(observations, "gpt-4-32k", "0314").RetiresOn);
    }

    [SavedPageFact]
    public void SavedMarch2024ArticleLeavesUpgradeRowsWithoutADate()
    {
        var observations = Saved("model-retirements.2024-03.md");

        foreach (var version in new[] { "1106-preview", "0125-preview", "vision-preview" })
        {
            var preview = Single(observations, "gpt-4", version);
            Assert.Null(preview.RetiresOn);
            Assert.Empty(preview.Problems);
        }
        Assert.Equal(new DateOnly(2025, 2, 2), Single(observations, "text-embedding-3-large", null).RetiresOn);
    }

    [SavedPageFact]
    public void SavedMarch2024ArticleReadsTheDeprecatedTable()
    {
        var observations = Saved("model-retirements.2024-03.md");
        var ada = Single(observations, "ada", null);

        Assert.Equal(LifecycleStatus.Deprecated, ada.Status);
        Assert.Equal(new DateOnly(2023, 7, 6), ada.DeprecatedOn);
        Assert.Equal(new DateOnly(2024, 7, 5), ada.RetiresOn);
        Assert.False(ada.RetiresOnIsEstimate);
        Assert.Equal(["babbage-002"], ada.Replacements);
        Assert.Equal(["davinci-002"], Single(observations, "curie", null).Replacements);
        Assert.Equal(["text-embedding-3-small"], Single(observations, "code-search-babbage-text-001", null).Replacements);
        Assert.Equal("ada | July 6, 2023 | July 5, 2024 | babbage-002", ada.Evidence);
    }

    [SavedPageFact]
    public void SavedJanuary2025ArticleReadsTheFirstDateOfACellWithAnUpgradeNote()
    {
        var observations = Saved("model-retirements.2025-01.md");
        var gpt35 = Single(observations, "gpt-35-turbo", "0301");

        Assert.Equal(new DateOnly(2025, 2, 13), gpt35.RetiresOn);
        Assert.False(gpt35.RetiresOnIsEstimate);
        Assert.Equal(["gpt-35-turbo", "gpt-4o-mini"], gpt35.Replacements);
        Assert.Equal(new DateOnly(2025, 5, 20), Single(observations, "gpt-4o", "2024-05-13").RetiresOn);
        Assert.True(Single(observations, "gpt-4o", "2024-05-13").RetiresOnIsEstimate);
    }

    [SavedPageFact]
    public void SavedJanuary2025ArticleReadsPrefixedAndUpgradeDates()
    {
        var observations = Saved("model-retirements.2025-01.md");

        Assert.Equal(new DateOnly(2025, 1, 27), Single(observations, "babbage-002", "1").RetiresOn);
        Assert.False(Single(observations, "davinci-002", "1").RetiresOnIsEstimate);
        var vision = Single(observations, "gpt-4", "vision-preview");
        Assert.Equal(new DateOnly(2025, 1, 27), vision.RetiresOn);
        Assert.True(vision.RetiresOnIsEstimate);
        Assert.Equal(["gpt-4o"], vision.Replacements);
    }

    [SavedPageFact]
    public void SavedJanuary2025ArticleKeepsReplacementNamesWithoutTheirVersions()
    {
        var observations = Saved("model-retirements.2025-01.md");

        Assert.Equal(["dalle-3"], Single(observations, "dall-e-2", "2").Replacements);
        Assert.Empty(Single(observations, "dall-e-3", "3").Aliases);
        Assert.Equal(["gpt-4o-realtime-preview"], Single(observations, "gpt-4o-realtime-preview", "2024-10-01").Replacements);
        Assert.Equal(["text-embedding-3-small", "text-embedding-3-large"], Single(observations, "text-embedding-ada-002", "1").Replacements);
        Assert.Equal(new DateOnly(2025, 12, 17), Single(observations, "o1", "2024-12-17").RetiresOn);
    }

    [SavedPageFact]
    public void SavedJanuary2025ArticleIgnoresTheDefaultVersionTable()
    {
        var observations = Saved("model-retirements.2025-01.md");

        Assert.Equal(52, observations.Count);
        Assert.DoesNotContain(observations, o => o.Section == "Default model versions");
        Assert.Equal(new DateOnly(2024, 6, 14), Single(observations, "text-davinci-003", null).RetiresOn);
    }

    [SavedPageFact]
    public void SavedJune2025IncludeReadsEveryTab()
    {
        var observations = Saved("retirement-models-include.2025-06.md");

        Assert.Equal(20, observations.Count(o => o.Section == "Text generation"));
        Assert.Equal(7, observations.Count(o => o.Section == "Audio"));
        Assert.Equal(3, observations.Count(o => o.Section == "Image & video"));
        Assert.Equal(4, observations.Count(o => o.Section == "Embedding"));
        Assert.Single(observations, o => o.Model == "gpt-4o-audio-preview");
        Assert.Equal(new DateOnly(2026, 2, 1), Single(observations, "tts", "001").RetiresOn);
    }

    [SavedPageFact]
    public void SavedJune2025IncludeReadsTrickyRows()
    {
        var observations = Saved("retirement-models-include.2025-06.md");
        var gpt45 = Single(observations, "gpt-4.5-preview", "2025-02-27");

        Assert.Equal(new DateOnly(2025, 7, 14), gpt45.RetiresOn);
        Assert.False(gpt45.RetiresOnIsEstimate);
        Assert.Equal(["gpt-4.1"], gpt45.Replacements);
        var router = Single(observations, "model-router", "2025-05-19");
        Assert.Contains(router.Problems, p => p.Contains("'model router'", StringComparison.Ordinal));
        Assert.Equal(["gpt-4o"], Single(observations, "gpt-4", "turbo-2024-04-09").Replacements);
        Assert.DoesNotContain(observations, o => o.Section == "Fine-tuned models");
    }

    [SavedPageFact]
    public void SavedJune2025IncludeReadsTheDeprecatedTableAcrossItsBlankLine()
    {
        var observations = Saved("retirement-models-include.2025-06.md");
        var deprecated = observations.Where(o => o.Section == "Deprecated models").ToList();

        Assert.Equal(38, deprecated.Count);
        Assert.All(deprecated, o => Assert.Equal(LifecycleStatus.Deprecated, o.Status));
        Assert.Equal(new DateOnly(2025, 1, 27), Single(deprecated, "davinci-002", null).RetiresOn);
        Assert.Equal(["dalle-3"], Single(deprecated, "dall-e-2", null).Replacements);
        Assert.Empty(Single(deprecated, "ada", null).Replacements);
        Assert.Equal(new DateOnly(2024, 6, 14), Single(deprecated, "code-search-babbage-text-001", null).RetiresOn);
    }

    [SavedPageFact]
    public void SavedJune2025IncludeReadsVersionsWrittenBesideTheName()
    {
        var deprecated = Saved("retirement-models-include.2025-06.md").Where(o => o.Section == "Deprecated models").ToList();
        var realtime = Single(deprecated, "gpt-4o-realtime-preview", "2024-10-01");

        Assert.Equal(new DateOnly(2025, 2, 25), realtime.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 3, 26), realtime.RetiresOn);
        Assert.Equal(["gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview"], realtime.Replacements);
        Assert.Equal(new DateOnly(2025, 6, 6), Single(deprecated, "gpt-4-32k", "0314").RetiresOn);
        Assert.Equal(["gpt-4o"], Single(deprecated, "gpt-4", "0613").Replacements);
        Assert.Equal(new DateOnly(2025, 4, 30), Single(deprecated, "gpt-35-turbo-16k", "0613").RetiresOn);
        Assert.Null(Single(deprecated, "gpt-35-turbo", "0301").DeprecatedOn);
    }

    [SavedPageFact]
    public void SavedNovember2025WrapperArticleIsAnErrorPointingAtItsInclude()
    {
        var error = Assert.Throws<ExtractionException>(() => Saved("model-retirements-article.2025-11.md"));

        Assert.Contains("include", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Model retirement table", error.Message, StringComparison.Ordinal);
    }

    [SavedPageFact]
    public void SavedDecember2025IncludeReadsLifecycleStatusAndDeprecationColumns()
    {
        var observations = Saved("retirement-models-include.2025-12.md");
        var chat = Single(observations, "gpt-5-chat", "2025-08-07");
        var gpt4o = Single(observations, "gpt-4o", "2024-11-20");

        Assert.Equal(55, observations.Count);
        Assert.Equal(LifecycleStatus.Preview, chat.Status);
        Assert.Null(chat.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 3, 1), chat.RetiresOn);
        Assert.Equal(["gpt-5.2-chat"], chat.Replacements);
        Assert.Equal(LifecycleStatus.Active, gpt4o.Status);
        Assert.Equal(new DateOnly(2025, 11, 20), gpt4o.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 6, 5), gpt4o.RetiresOn);
        Assert.False(gpt4o.RetiresOnIsEstimate);
    }

    [SavedPageFact]
    public void SavedDecember2025IncludeReadsEstimatesAndMissingDates()
    {
        var observations = Saved("retirement-models-include.2025-12.md");
        var gpt52 = Single(observations, "gpt-5.2", "2025-12-11");
        var tts = Single(observations, "tts", "001");

        Assert.Equal(new DateOnly(2026, 12, 12), gpt52.DeprecatedOn);
        Assert.Equal(new DateOnly(2027, 5, 12), gpt52.RetiresOn);
        Assert.True(gpt52.RetiresOnIsEstimate);
        Assert.Equal(new DateOnly(2026, 2, 28), tts.DeprecatedOn);
        Assert.Null(tts.RetiresOn);
        Assert.Equal(new DateOnly(2026, 2, 28), Single(observations, "gpt-4o-mini-audio-preview", "2024-12-17").RetiresOn);
        Assert.Empty(Single(observations, "text-embedding-3-large", "1").Replacements);
    }

    [SavedPageFact]
    public void SavedDecember2025IncludeReadsANameThatRepeatsItsVersionAsTheName()
    {
        var mini = Single(Saved("retirement-models-include.2025-12.md"), "gpt-realtime-mini", "2025-12-15");

        Assert.Equal(["gpt-realtime-mini-2025-12-15"], mini.Aliases);
        Assert.Equal(new DateOnly(2026, 12, 15), mini.RetiresOn);
        Assert.Single(mini.Problems);
        Assert.Equal("Audio", mini.Section);
    }

    [SavedPageFact]
    public void SavedPartnerModelsPageNamesModelsAndReplacementsByCatalogId()
    {
        var observations = Saved("foundry-partner-models-lifecycle.2025-11.html");
        var commandR = Single(observations, "Cohere-command-r", null);

        Assert.Equal(35, observations.Count);
        Assert.Equal(["Cohere-command-r-08-2024"], commandR.Replacements);
        Assert.Equal(["Cohere-command-r-plus-08-2024"], Single(observations, "Cohere-command-r-plus", null).Replacements);
        Assert.Equal(new DateOnly(2025, 3, 25), commandR.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 6, 30), commandR.RetiresOn);
        Assert.Equal("Cohere", commandR.Section);
        Assert.All(observations, o => Assert.Equal("azure-openai", o.Platform));
        Assert.All(observations, o => Assert.Null(o.Version));
    }

    [SavedPageFact]
    public void SavedPartnerModelsPageReadsEveryProviderTable()
    {
        var observations = Saved("foundry-partner-models-lifecycle.2025-11.html");

        Assert.Equal(["Meta-Llama-3.1-8B-Instruct"], Single(observations, "Llama-2-13b", null).Replacements);
        Assert.Equal("Meta", Single(observations, "Llama-2-70b-chat", null).Section);
        Assert.Equal(new DateOnly(2025, 8, 30), Single(observations, "Phi-3.5-MoE-instruct", null).RetiresOn);
        Assert.Equal(new DateOnly(2026, 1, 30), Single(observations, "Mistral-Nemo", null).RetiresOn);
        Assert.Equal(new DateOnly(2025, 1, 15), Single(observations, "Mistral-large", null).DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 8, 31), Single(observations, "Bria-2.3-Fast", null).DeprecatedOn);
        Assert.Empty(Single(observations, "jais-30b-chat", null).Replacements);
        Assert.All(observations, o => Assert.Equal(LifecycleStatus.Deprecated, o.Status));
    }

    [SavedPageFact]
    public void SavedPartnerModelsPageSlugsTheOneModelWithoutAnId()
    {
        var jamba = Single(Saved("foundry-partner-models-lifecycle.2025-11.html"), "jamba-instruct", null);

        Assert.Equal(new DateOnly(2025, 2, 1), jamba.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 3, 1), jamba.RetiresOn);
        Assert.Contains(jamba.Problems, p => p.Contains("'Jamba Instruct'", StringComparison.Ordinal));
        Assert.Equal("AI21 Labs", jamba.Section);
    }
}
