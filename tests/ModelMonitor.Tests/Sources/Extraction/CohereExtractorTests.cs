using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class CohereExtractorTests
{
    // Our own page in the shape of Cohere's deprecations MDX: a newer bulleted announcement above an older table.
    private const string Sample = """
        ---
        title: Model retirements
        createdAt: 'Tue Jan 07 2025 00:00:00 GMT+0000'
        ---
        Retired and retiring models, newest first.

        ## History

        ### 2025-09-15: Classic command models and some endpoints

        From this date the changes below apply.

        Models deprecated by this notice:
        - `command-r-03-2024` (also reachable through the alias `command-r`)
        - `command-light`
        - `summarize` (see the guide for what to use)

        As replacements for command models, try `command-r-08-2024` or `command-a-03-2025`.

        Fine-tuning that ends:
        Tuning `command-light` and `rerank` ends too.

        Endpoints and features going away:
        - `/v1/generate` (the old generation route)
        - `/v1/chat` options: `connectors`
        - The chat app plug-in

        ### 2024-12-02: Retiring the v2.0 rerankers

        Newer rerankers arrived, so the v2.0 family is on its way out.

        | Shut-off date | Deprecated model | Model price | Suggested replacement |
        |---|---|---|---|
        | 2025-04-30 | `rerank-english-v2.0` | $2 per 1,000 queries | `rerank-v3.5` |
        | 2026-09-31 | `rerank-multilingual-v2.0` | $2 per 1,000 queries | `rerank-v3.5` |
        """;

    private static readonly IReadOnlyList<Observation> SampleObservations = new CohereExtractor().Extract(Sample);

    private static Observation Model(IReadOnlyList<Observation> observations, string model) =>
        Assert.Single(observations, o => o.Model == model);

    [Fact]
    public void ProviderIsCohere() => Assert.Equal("cohere", new CohereExtractor().Provider);

    [Fact]
    public void ListedModelsAndTableRowsAreTheObservationsInPageOrder() =>
        Assert.Equal(
            ["command-r-03-2024", "command-light", "summarize", "rerank-english-v2.0", "rerank-multilingual-v2.0"],
            SampleObservations.Select(o => o.Model));

    [Fact]
    public void TableRowGivesShutdownDateReplacementAndAnnouncement()
    {
        var rerank = Model(SampleObservations, "rerank-english-v2.0");
        Assert.Equal(new DateOnly(2025, 4, 30), rerank.RetiresOn);
        Assert.Equal(new DateOnly(2024, 12, 2), rerank.DeprecatedOn);
        Assert.Equal(["rerank-v3.5"], rerank.Replacements);
        Assert.Equal(LifecycleStatus.Deprecated, rerank.Status);
        Assert.Equal("2024-12-02: Retiring the v2.0 rerankers", rerank.Section);
        Assert.Equal("2025-04-30 | rerank-english-v2.0 | $2 per 1,000 queries | rerank-v3.5", rerank.Evidence);
        Assert.Equal(("cohere", "cohere"), (rerank.Provider, rerank.Platform));
    }

    [Fact]
    public void ImpossibleShutdownDateIsAProblemNotAGuess()
    {
        var rerank = Model(SampleObservations, "rerank-multilingual-v2.0");
        Assert.Null(rerank.RetiresOn);
        Assert.Equal(["impossible date '2026-09-31' in Shut-off date"], rerank.Problems);
    }

    [Fact]
    public void BulletAliasIsKeptOnTheVersionedId()
    {
        var commandR = Model(SampleObservations, "command-r-03-2024");
        Assert.Equal(["command-r"], commandR.Aliases);
        Assert.DoesNotContain(SampleObservations, o => o.Model == "command-r");
    }

    [Fact]
    public void RecommendationSentenceGivesReplacementsOnlyToTheFamilyItNames()
    {
        Assert.Equal(["command-r-08-2024", "command-a-03-2025"], Model(SampleObservations, "command-r-03-2024").Replacements);
        Assert.Equal(["command-r-08-2024", "command-a-03-2025"], Model(SampleObservations, "command-light").Replacements);
        Assert.Empty(Model(SampleObservations, "summarize").Replacements);
    }

    [Fact]
    public void ListedModelsAreDeprecatedOnTheAnnouncementDateWithoutAShutdownDate()
    {
        var light = Model(SampleObservations, "command-light");
        Assert.Equal(new DateOnly(2025, 9, 15), light.DeprecatedOn);
        Assert.Null(light.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, light.Status);
        Assert.Equal("2025-09-15: Classic command models and some endpoints", light.Section);
    }

    [Fact]
    public void EndpointsParametersFeaturesAndFineTuningAreNotModels() =>
        Assert.DoesNotContain(SampleObservations, o =>
            o.Model.StartsWith('/') || o.Model is "connectors" or "rerank" or "generate" || o.Model.Contains(' ', StringComparison.Ordinal));

    [Fact]
    public void BulletEvidenceIsTheBulletAndTheSentenceItWasCompletedBy() =>
        Assert.Equal(
            "command-light | As replacements for command models, try command-r-08-2024 or command-a-03-2025.",
            Model(SampleObservations, "command-light").Evidence);

    [Fact]
    public void ShutdownDateInABulletOrInTheListLabelIsTheRetirementDate()
    {
        const string page = """
            ### 2026-01-10: Embed v2

            Models shutting down on March 31, 2026:
            - `embed-english-v2.0`
            - `embed-multilingual-v2.0` (shutdown moved to 2026-04-30; use `embed-v4.0` instead)
            """;
        var observations = new CohereExtractor().Extract(page);
        Assert.Equal(new DateOnly(2026, 3, 31), Model(observations, "embed-english-v2.0").RetiresOn);
        var multilingual = Model(observations, "embed-multilingual-v2.0");
        Assert.Equal(new DateOnly(2026, 4, 30), multilingual.RetiresOn);
        Assert.Equal(["embed-v4.0"], multilingual.Replacements);
        Assert.Equal(LifecycleStatus.Deprecated, multilingual.Status);
    }

    [Fact]
    public void ShutdownSentenceAfterTheListDatesTheListedModels()
    {
        const string page = """
            ### 2026-02-01: Old rerankers

            Deprecated models:
            - `rerank-english-v3.0`

            These models will be shut down no earlier than June 2026.
            """;
        var rerank = Assert.Single(new CohereExtractor().Extract(page));
        Assert.Equal((new DateOnly(2026, 6, 1), true, DatePrecision.Month), (rerank.RetiresOn, rerank.RetiresOnIsEstimate, rerank.RetiresOnPrecision));
    }

    [Fact]
    public void ChangelogPostIsDatedAndTitledByItsFrontMatter()
    {
        const string post = """
            ---
            title: "Retiring the old embedders"
            createdAt: "Mon Sep 15 2025 00:00:00 (MST)"
            ---

            We are deprecating these:

            Models on their way out:
            - `embed-english-light-v2.0`
            """;
        var embed = Assert.Single(new CohereExtractor().Extract(post));
        Assert.Equal(("embed-english-light-v2.0", new DateOnly(2025, 9, 15), "Retiring the old embedders"), (embed.Model, embed.DeprecatedOn, embed.Section));
    }

    [Fact]
    public void HtmlPageIsReadTheSameWay()
    {
        const string html = """
            <html><body>
            <h3>2024-12-02: Old rerankers</h3>
            <table><thead><tr><th>Shut down on</th><th>Model being retired</th><th>Use instead (replacement)</th></tr></thead>
            <tbody><tr><td>2025-04-30</td><td><code>rerank-english-v2.0</code></td><td><code>rerank-v3.5</code></td></tr></tbody></table>
            </body></html>
            """;
        var rerank = Assert.Single(new CohereExtractor().Extract(html));
        Assert.Equal(("rerank-english-v2.0", new DateOnly(2025, 4, 30), new DateOnly(2024, 12, 2)), (rerank.Model, rerank.RetiresOn, rerank.DeprecatedOn));
    }

    [Fact]
    public void TableOfModelsThatSaysNothingAboutTheirEndIsNotRead()
    {
        const string page = """
            ### 2025-05-01: New prices

            | Model | Price per 1M tokens |
            |---|---|
            | `command-a-03-2025` | $2.50 |

            ### 2024-12-02: Rerank v2.0

            | Deprecated Model | Shutdown Date |
            |---|---|
            | `rerank-english-v2.0` | 2025-04-30 |
            """;
        var observation = Assert.Single(new CohereExtractor().Extract(page));
        Assert.Equal("rerank-english-v2.0", observation.Model);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# Pricing\n\nNothing about models here.")]
    [InlineData("| Route | Shut-off date |\n|---|---|\n| `/v1/generate` | 2025-01-01 |")]
    [InlineData("{\"gpt-4\": {}}")]
    public void PageWithoutDeprecatedModelsIsAnError(string page)
    {
        var ex = Assert.Throws<ExtractionException>(() => new CohereExtractor().Extract(page));
        Assert.StartsWith("no deprecated Cohere models found", ex.Message, StringComparison.Ordinal);
    }

    [SavedPageTheory]
    [InlineData("cohere/deprecations.2024-12-01.mdx", 2025, 3, 31)]
    [InlineData("cohere/deprecations.2025-04-10.mdx", 2025, 3, 31)]
    [InlineData("cohere/deprecations.2025-04-29.mdx", 2025, 4, 30)]
    [InlineData("cohere/deprecations.2025-09-16.mdx", 2025, 4, 30)]
    public void SavedDeprecationsPageGivesTheRerankTable(string file, int year, int month, int day)
    {
        var observations = new CohereExtractor().Extract(SavedPages.Read(file));
        var shutdown = new DateOnly(year, month, day);

        foreach (var model in new[] { "rerank-english-v2.0", "rerank-multilingual-v2.0" })
        {
            var rerank = Model(observations, model);
            Assert.Equal(shutdown, rerank.RetiresOn);
            Assert.False(rerank.RetiresOnIsEstimate);
            Assert.Equal(new DateOnly(2024, 12, 2), rerank.DeprecatedOn);
            Assert.Equal(["rerank-v3.5"], rerank.Replacements);
            Assert.Equal(LifecycleStatus.Deprecated, rerank.Status);
            Assert.StartsWith("2024-12-02: ", rerank.Section, StringComparison.Ordinal);
            Assert.Equal("cohere", rerank.Platform);
            Assert.Empty(rerank.Aliases);
            Assert.Empty(rerank.Problems);
            Assert.Null(rerank.ReleasedOn);
        }
        var evidence = Model(observations, "rerank-english-v2.0").Evidence;
        Assert.StartsWith($"{shutdown:yyyy-MM-dd} | rerank-english-v2.0 | ", evidence, StringComparison.Ordinal);
        Assert.EndsWith(" | rerank-v3.5", evidence, StringComparison.Ordinal);
        // Fine-tuned models, the Classify endpoint and the replacement are never reported as deprecated models.
        Assert.DoesNotContain(observations, o => o.Model is "rerank-v3.5" or "classify" or "embed" || o.Model.StartsWith("Command", StringComparison.Ordinal));
    }

    [SavedPageTheory]
    [InlineData("cohere/deprecations.2024-12-01.mdx")]
    [InlineData("cohere/deprecations.2025-04-10.mdx")]
    [InlineData("cohere/deprecations.2025-04-29.mdx")]
    public void SavedPagesBeforeSeptember2025HoldOnlyTheRerankModels(string file) =>
        Assert.Equal(["rerank-english-v2.0", "rerank-multilingual-v2.0"], new CohereExtractor().Extract(SavedPages.Read(file)).Select(o => o.Model));

    [SavedPageFact]
    public void SavedSeptember2025PageAddsTheCommandModelsFromItsBulletList()
    {
        var observations = new CohereExtractor().Extract(SavedPages.Read("cohere/deprecations.2025-09-16.mdx"));

        Assert.Equal(
            ["command-r-03-2024", "command-r-plus-04-2024", "command-light", "command", "summarize", "rerank-english-v2.0", "rerank-multilingual-v2.0"],
            observations.Select(o => o.Model));

        var commandR = Model(observations, "command-r-03-2024");
        Assert.Equal(["command-r"], commandR.Aliases);
        Assert.Equal(["command-r-08-2024", "command-r-plus-08-2024", "command-a-03-2025"], commandR.Replacements);
        Assert.Equal(new DateOnly(2025, 9, 15), commandR.DeprecatedOn);
        Assert.Null(commandR.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, commandR.Status);
        Assert.StartsWith("2025-09-15: ", commandR.Section, StringComparison.Ordinal);
        Assert.All(observations.Take(5), o => Assert.Equal(commandR.Section, o.Section));
        Assert.StartsWith("command-r-03-2024 ", commandR.Evidence, StringComparison.Ordinal);
        Assert.Contains("command-a-03-2025", commandR.Evidence, StringComparison.Ordinal);

        Assert.Equal(["command-r-plus"], Model(observations, "command-r-plus-04-2024").Aliases);
        Assert.Equal(["command-r-08-2024", "command-r-plus-08-2024", "command-a-03-2025"], Model(observations, "command").Replacements);
        Assert.Empty(Model(observations, "command-light").Aliases);
        Assert.Empty(Model(observations, "summarize").Replacements);
        Assert.Equal(new DateOnly(2025, 9, 15), Model(observations, "summarize").DeprecatedOn);
        Assert.DoesNotContain(observations, o => o.Model.StartsWith('/') || o.Model is "connectors" or "search_queries_only" or "classify" or "rerank");
        Assert.Empty(observations.SelectMany(o => o.Problems));
    }

    [SavedPageFact]
    public void SavedChangelogPostIsReadBySameExtractor()
    {
        var observations = new CohereExtractor().Extract(SavedPages.Read("changelogs/cohere-changelog.2025-09-16.mdx"));

        Assert.Equal(["command-r-03-2024", "command-r-plus-04-2024", "command-light", "command", "summarize"], observations.Select(o => o.Model));
        Assert.All(observations, o =>
        {
            Assert.Equal(new DateOnly(2025, 9, 15), o.DeprecatedOn);
            Assert.Equal(observations[0].Section, o.Section);
            Assert.Contains("Deprecations", o.Section, StringComparison.Ordinal);
            Assert.Equal(LifecycleStatus.Deprecated, o.Status);
            Assert.Null(o.RetiresOn);
            Assert.Equal("cohere", o.Platform);
        });
        Assert.Equal(["command-r"], Model(observations, "command-r-03-2024").Aliases);
        Assert.Equal(["command-r-plus"], Model(observations, "command-r-plus-04-2024").Aliases);
        Assert.Equal(["command-r-08-2024", "command-r-plus-08-2024", "command-a-03-2025"], Model(observations, "command-light").Replacements);
        Assert.Empty(Model(observations, "summarize").Replacements);
        Assert.Empty(observations.SelectMany(o => o.Problems));
    }
}
