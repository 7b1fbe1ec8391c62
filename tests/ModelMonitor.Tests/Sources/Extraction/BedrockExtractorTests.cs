using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class BedrockExtractorTests
{
    private static readonly BedrockExtractor Extractor = new();

    // Our own sample in the shape of Bedrock's lifecycle page: the Active table has 7 header cells and 8 data
    // cells (an unlabelled EOL column after the launch date), Legacy and EOL tables name models by display name.
    private const string SampleHtml = """
        <!DOCTYPE html>
        <html><body>
        <h1>Model lifecycle</h1>
        <h2>Active versions</h2>
        <div><h6>Note</h6><p>Some models need cross-Region inference.</p></div>
        <table>
          <thead><tr><th>Provider</th><th>Model name</th><th>Model ID</th><th>Regions supported</th><th>Launch date</th><th>Input modalities</th><th>Output modalities</th></tr></thead>
          <tr><td>Anthropic</td><td>Claude 3.7 Sonnet</td><td>anthropic.claude-3-7-sonnet-20250219-v1:0</td><td><ul><li>us-east-1</li><li>us-west-2*</li></ul></td><td><ul><li>3/1/2025</li><li>2/24/2025</li></ul></td><td>No sooner than 2/24/2026</td><td>Text, Image</td><td>Text, Chat</td></tr>
          <tr><td>Amazon</td><td>Rerank 1.0</td><td>amazon.rerank-v1:0</td><td>us-west-2</td><td></td><td></td><td>Text</td><td>Text</td></tr>
          <tr><td>Example</td><td>Broken Date Model</td><td>example.broken-v1:0</td><td>us-west-2</td><td>1/5/2025</td><td>No sooner than 2/30/2026</td><td>Text</td><td>Text</td></tr>
        </table>
        <h2>Legacy versions</h2>
        <table>
          <thead><tr><th>Model version</th><th>Legacy date</th><th>Public extended access date</th><th>EOL date</th><th>Recommended model version replacement</th><th>Recommended model ID</th></tr></thead>
          <tr><td>Claude 3.7 Sonnet</td><td>October 28, 2025 (us-east-1, us-west-2)</td><td>January 27, 2026 (all regions)</td><td>April 28, 2026</td><td>Claude Sonnet 4.5</td><td>anthropic.claude-sonnet-4-5-20250929-v1:0</td></tr>
          <tr><td>Claude 3 Opus</td><td>July 15th, 2025 (all Regions)</td><td>NA</td><td>January 15th, 2026 (all Regions)</td><td>Claude Opus 4.1, Claude Sonnet 4.5</td><td>anthropic.claude-opus-4-1-20250805-v1:0, anthropic.claude-sonnet-4-5-20250929-v1:0</td></tr>
        </table>
        <h2>End-of-Life (EOL) versions</h2>
        <table>
          <thead><tr><th>Model version</th><th>Legacy date</th><th>EOL date</th><th>Recommended model version replacement</th><th>Recommended model ID</th></tr></thead>
          <tr><td>Ai21 J2 Mid-v1</td><td>April 30, 2024 (only in us-west-2)</td><td>October 4, 2024 (only in us-west-2)</td><td>Jamba-Instruct v1</td><td>ai21.jamba-instruct-v1:0 in US East (N. Virginia)</td></tr>
          <tr><td>Ai21 J2 Mid-v1</td><td>October 4, 2024 (only in us-east-1)</td><td>March 12, 2025 (only in us-east-1)</td><td>Jamba-Instruct v1</td><td>ai21.jamba-instruct-v1:0</td></tr>
        </table>
        </body></html>
        """;

    // The same facts as Markdown, with the EOL column labelled and reordered.
    private const string SampleMarkdown = """
        # Model lifecycle

        ## Legacy versions

        | EOL date | Model ID | Legacy date | Recommended model ID |
        | --- | --- | --- | --- |
        | 5/31/2026 | `anthropic.claude-opus-4-20250514-v1:0` | 10/1/2025 | `anthropic.claude-opus-4-1-20250805-v1:0` |
        | N/A | `meta.llama3-8b-instruct-v1:0`, `meta.llama3-70b-instruct-v1:0` | 9/1/2025 | --- |
        """;

    private static Observation Single(IReadOnlyList<Observation> observations, string model, string section) =>
        Assert.Single(observations, o => o.Model == model && o.Section == section);

    private static IReadOnlyList<Observation> SavedPage() =>
        Extractor.Extract(SavedPages.Read("aws-bedrock/model-lifecycle.2025-11.html"));

    [Fact]
    public void ProviderNameIsAwsBedrock() => Assert.Equal("aws-bedrock", Extractor.Provider);

    [Fact]
    public void SampleHtmlReadsTheUnlabelledEolColumnAsAnEstimate()
    {
        var sonnet = Single(Extractor.Extract(SampleHtml), "anthropic.claude-3-7-sonnet-20250219-v1:0", "Active versions");

        Assert.Equal(new DateOnly(2026, 2, 24), sonnet.RetiresOn);
        Assert.True(sonnet.RetiresOnIsEstimate);
        Assert.Equal(LifecycleStatus.Active, sonnet.Status);
        Assert.Equal(new DateOnly(2025, 2, 24), sonnet.ReleasedOn);
        Assert.Null(sonnet.Version);
        Assert.Equal("aws-bedrock", sonnet.Platform);
    }

    [Fact]
    public void SampleHtmlLeavesEmptyDateCellsWithoutDatesOrProblems()
    {
        var rerank = Single(Extractor.Extract(SampleHtml), "amazon.rerank-v1:0", "Active versions");

        Assert.Null(rerank.RetiresOn);
        Assert.Null(rerank.ReleasedOn);
        Assert.Empty(rerank.Problems);
    }

    [Fact]
    public void SampleHtmlReportsAnImpossibleEolDate()
    {
        var broken = Single(Extractor.Extract(SampleHtml), "example.broken-v1:0", "Active versions");

        Assert.Null(broken.RetiresOn);
        Assert.Contains(broken.Problems, p => p.Contains("2/30/2026", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleHtmlGivesALegacyRowTheIdTheActiveTableGivesItsName()
    {
        var legacy = Single(Extractor.Extract(SampleHtml), "anthropic.claude-3-7-sonnet-20250219-v1:0", "Legacy versions");

        Assert.Equal(LifecycleStatus.Legacy, legacy.Status);
        Assert.Equal(new DateOnly(2025, 10, 28), legacy.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 4, 28), legacy.RetiresOn);
        Assert.False(legacy.RetiresOnIsEstimate);
        Assert.Equal(["anthropic.claude-sonnet-4-5-20250929-v1:0"], legacy.Replacements);
        Assert.Empty(legacy.Problems);
    }

    [Fact]
    public void SampleHtmlSlugsADisplayNameThePageGivesNoIdFor()
    {
        var opus = Single(Extractor.Extract(SampleHtml), "claude-3-opus", "Legacy versions");

        Assert.Equal(new DateOnly(2025, 7, 15), opus.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 1, 15), opus.RetiresOn);
        Assert.Equal(["anthropic.claude-opus-4-1-20250805-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0"], opus.Replacements);
        Assert.Contains(opus.Problems, p => p.Contains("'Claude 3 Opus'", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleHtmlKeepsRowsRepeatedPerRegionAndReadsIdsOutOfProse()
    {
        var mid = Extractor.Extract(SampleHtml).Where(o => o.Model == "ai21-j2-mid-v1").ToList();

        Assert.Equal(2, mid.Count);
        Assert.All(mid, o => Assert.Equal(LifecycleStatus.Retired, o.Status));
        Assert.All(mid, o => Assert.Equal(["ai21.jamba-instruct-v1:0"], o.Replacements));
        Assert.Equal([new DateOnly(2024, 10, 4), new DateOnly(2025, 3, 12)], mid.Select(o => o.RetiresOn!.Value));
        Assert.Contains("(only in us-east-1)", mid[1].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleMarkdownReadsReorderedLabelledColumnsAndSplitsSeveralIds()
    {
        var observations = Extractor.Extract(SampleMarkdown);
        var opus4 = Single(observations, "anthropic.claude-opus-4-20250514-v1:0", "Legacy versions");

        Assert.Equal(new DateOnly(2026, 5, 31), opus4.RetiresOn);
        Assert.Equal(new DateOnly(2025, 10, 1), opus4.DeprecatedOn);
        Assert.Equal(["anthropic.claude-opus-4-1-20250805-v1:0"], opus4.Replacements);
        var llama = Single(observations, "meta.llama3-70b-instruct-v1:0", "Legacy versions");
        Assert.Null(llama.RetiresOn);
        Assert.Empty(llama.Replacements);
        Assert.Equal(3, observations.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body><p>Nothing here.</p></body></html>")]
    [InlineData("# Prices\n\n| Model ID | Price |\n|---|---|\n| amazon.nova-pro-v1:0 | 0.8 |\n")]
    [InlineData("\u0000\u0001 not a page")]
    public void APageWithoutALifecycleTableIsAnExtractionError(string content)
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract(content));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [SavedPageFact]
    public void SavedPageYieldsEveryRowOfTheThreeTables()
    {
        var observations = SavedPage();

        Assert.Equal(55, observations.Count(o => o.Section == "Active versions"));
        Assert.Equal(6, observations.Count(o => o.Section == "Legacy versions"));
        Assert.Equal(29, observations.Count(o => o.Section == "End-of-Life (EOL) versions"));
        Assert.All(observations.Where(o => o.Section == "Active versions"), o => Assert.Equal(LifecycleStatus.Active, o.Status));
        Assert.All(observations.Where(o => o.Section == "Legacy versions"), o => Assert.Equal(LifecycleStatus.Legacy, o.Status));
        Assert.All(observations.Where(o => o.Section == "End-of-Life (EOL) versions"), o => Assert.Equal(LifecycleStatus.Retired, o.Status));
    }

    [SavedPageFact]
    public void SavedPageReadsTheActiveTablesUnlabelledEolColumn()
    {
        var observations = SavedPage();
        var jamba = Single(observations, "ai21.jamba-1-5-large-v1:0", "Active versions");

        Assert.Equal(new DateOnly(2024, 9, 23), jamba.ReleasedOn);
        Assert.Equal(new DateOnly(2025, 9, 23), jamba.RetiresOn);
        Assert.True(jamba.RetiresOnIsEstimate);
        Assert.Equal(new DateOnly(2026, 9, 29), Single(observations, "anthropic.claude-sonnet-4-5-20250929-v1:0", "Active versions").RetiresOn);
        Assert.Equal(new DateOnly(2026, 4, 28), Single(observations, "meta.llama4-maverick-17b-instruct-v1:0", "Active versions").RetiresOn);
        Assert.Null(Single(observations, "amazon.rerank-v1:0", "Active versions").RetiresOn);
        Assert.Null(Single(observations, "cohere.rerank-v3-5:0", "Active versions").ReleasedOn);
    }

    [SavedPageFact]
    public void SavedPageTakesTheEarliestRegionalLaunchAsTheReleaseDate()
    {
        var observations = SavedPage();

        Assert.Equal(new DateOnly(2024, 7, 23), Single(observations, "meta.llama3-1-8b-instruct-v1:0", "Active versions").ReleasedOn);
        Assert.Equal(new DateOnly(2024, 3, 1), Single(observations, "mistral.mistral-7b-instruct-v0:2", "Active versions").ReleasedOn);
        Assert.Equal(new DateOnly(2023, 11, 29), Single(observations, "amazon.titan-embed-image-v1", "Active versions").ReleasedOn);
        Assert.Equal(2, observations.Count(o => o.Model == "cohere.embed-english-v3" && o.Section == "Active versions"));
    }

    [SavedPageFact]
    public void SavedPageGivesLegacyRowsTheIdsOfTheirActiveRows()
    {
        var observations = SavedPage();
        var sonnet = Single(observations, "anthropic.claude-3-5-sonnet-20240620-v1:0", "Legacy versions");
        var opus4 = Single(observations, "anthropic.claude-opus-4-20250514-v1:0", "Legacy versions");

        Assert.Equal(new DateOnly(2025, 8, 25), sonnet.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 3, 1), sonnet.RetiresOn);
        Assert.Equal(["anthropic.claude-sonnet-4-5-20250929-v1:0"], sonnet.Replacements);
        Assert.Equal(new DateOnly(2026, 5, 31), opus4.RetiresOn);
        Assert.Equal(new DateOnly(2026, 4, 28), Single(observations, "anthropic.claude-3-7-sonnet-20250219-v1:0", "Legacy versions").RetiresOn);
        Assert.Equal(new DateOnly(2026, 3, 1), Single(observations, "anthropic.claude-3-5-sonnet-20241022-v2:0", "Legacy versions").RetiresOn);
    }

    [SavedPageFact]
    public void SavedPageSlugsLegacyAndEolModelsWithoutIdsAndSaysSo()
    {
        var observations = SavedPage();
        var opus3 = Single(observations, "claude-3-opus", "Legacy versions");
        var sdxl = Single(observations, "stable-diffusion-xl-1.0", "Legacy versions");

        Assert.Equal(new DateOnly(2025, 7, 15), opus3.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 1, 15), opus3.RetiresOn);
        Assert.Single(opus3.Problems);
        Assert.Equal(["stability.stable-image-core-v1:0", "stability.stable-image-ultra-v1:0", "stability.sd3-large-v1:0"], sdxl.Replacements);
        Assert.Equal(new DateOnly(2025, 5, 20), sdxl.RetiresOn);
        Assert.Equal(new DateOnly(2024, 4, 30), Single(observations, "stable-diffusion-xl-0.8", "End-of-Life (EOL) versions").RetiresOn);
        Assert.Equal(new DateOnly(2025, 7, 21), Single(observations, "claude-v2.1", "End-of-Life (EOL) versions").RetiresOn);
    }

    [SavedPageFact]
    public void SavedPageReadsEolRowsRepeatedPerRegion()
    {
        var observations = SavedPage();
        var mid = observations.Where(o => o.Model == "ai21-j2-mid-v1").ToList();

        Assert.Equal([new DateOnly(2024, 10, 4), new DateOnly(2025, 3, 12)], mid.Select(o => o.RetiresOn!.Value));
        Assert.Equal([new DateOnly(2024, 4, 30), new DateOnly(2024, 10, 4)], mid.Select(o => o.DeprecatedOn!.Value));
        Assert.All(mid, o => Assert.Equal(["ai21.jamba-instruct-v1:0"], o.Replacements));
        Assert.All(mid, o => Assert.False(o.RetiresOnIsEstimate));
    }

    [SavedPageFact]
    public void SavedPageSplitsReplacementIdLists()
    {
        var observations = SavedPage();

        Assert.Equal(["cohere.command-r-v1:0", "cohere.command-r-plus-v1:0"], Single(observations, "cohere-command-light", "End-of-Life (EOL) versions").Replacements);
        Assert.Equal(["ai21.jamba-1-5-mini-v1:0", "ai21.jamba-1-5-large-v1:0"], Single(observations, "ai21-jamba-instruct", "End-of-Life (EOL) versions").Replacements);
        Assert.Equal(["amazon.nova-pro-v1:0"], Single(observations, "amazon-titan-text-g1-premier", "End-of-Life (EOL) versions").Replacements);
        Assert.Equal(["meta.llama3-1-70b-instruct-v1"], Single(observations, "meta-llama-2-70b-chat-v1", "End-of-Life (EOL) versions").Replacements);
    }
}
