using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class AnthropicExtractorTests
{
    private static readonly AnthropicExtractor Extractor = new();

    // Our own page in the shape of Anthropic's, with the status table's columns named differently
    // and a zero-width space in a heading as the scraped copies have.
    private static readonly string SampleMarkdown = """
        ---
        source_url: https://example.invalid/model-deprecations
        ---

        # Model deprecations

        ## Model status<ZWSP>

        | Model | Lifecycle state | Deprecation date | Planned retirement |
        |---|---|---|---|
        | `claude-3-opus-20240229` | Deprecated | June 30, 2025 | January 5, 2026 |
        | `claude-3-haiku-20240307` | Legacy | n/a | Not sooner than March 7, 2026 |
        | `claude-sonnet-4-5-20250929` | Active | N/A | N/A |
        | `claude-x-1` | Sunsetting | N/A | 2026-02-30 |

        ## Deprecation history

        ### 2025-01-21: Claude 2 models

        Both models below were retired in July 2025 and no longer answer.

        | Retirement Date | Deprecated Model | Recommended Replacement |
        |---|---|---|
        | July 21, 2025 | `claude-2.0` | `claude-sonnet-4-5-20250929` |
        | July 21, 2025 | `claude-2.1` | Claude Sonnet 4 or later |
        """.Replace("<ZWSP>", "\u200B", StringComparison.Ordinal);

    private const string SampleHtml = """
        <html><body>
        <h2>Model status</h2>
        <table>
          <tr><th>API model name</th><th>Current state</th><th>Deprecated</th><th>Retired</th></tr>
          <tr><td><code>claude-1.0</code></td><td>Retired</td><td>September 4, 2024</td><td>November 6, 2024</td></tr>
          <tr><td><code>claude-3-5-haiku-20241022</code></td><td>Active</td><td>N/A</td><td>N/A</td></tr>
        </table>
        <h3>2025-10-28: Claude Sonnet 3.7 model</h3>
        <p>Users of this model heard about it by email on October 28, 2025.</p>
        <table>
          <thead><tr><th>Deprecated model</th><th>Recommended replacement</th><th>Retirement date</th></tr></thead>
          <tbody><tr><td><code>claude-3-7-sonnet-20250219</code></td><td><code>claude-sonnet-4-5-20250929</code></td><td>February 19, 2026</td></tr></tbody>
        </table>
        </body></html>
        """;

    private static Observation One(IReadOnlyList<Observation> observations, string model, string section) =>
        Assert.Single(observations, o => o.Model == model && o.Section!.StartsWith(section, StringComparison.Ordinal));

    [Fact]
    public void StatusTableWithRenamedColumnsGivesStateAndDates()
    {
        var opus = One(Extractor.Extract(SampleMarkdown), "claude-3-opus-20240229", "Model status");

        Assert.Equal(("anthropic", "anthropic"), (opus.Provider, opus.Platform));
        Assert.Equal(LifecycleStatus.Deprecated, opus.Status);
        Assert.Equal(new DateOnly(2025, 6, 30), opus.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 1, 5), opus.RetiresOn);
        Assert.False(opus.RetiresOnIsEstimate);
    }

    [Fact]
    public void SectionNamesLoseZeroWidthSpaces()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.Contains(observations, o => o.Section == "Model status");
    }

    [Fact]
    public void LegacyStateAndNotSoonerThanDateAreKept()
    {
        var haiku = One(Extractor.Extract(SampleMarkdown), "claude-3-haiku-20240307", "Model status");

        Assert.Equal(LifecycleStatus.Legacy, haiku.Status);
        Assert.Null(haiku.DeprecatedOn);
        Assert.Equal(new DateOnly(2026, 3, 7), haiku.RetiresOn);
        Assert.True(haiku.RetiresOnIsEstimate);
    }

    [Fact]
    public void ActiveModelWithPlaceholdersHasNoDates()
    {
        var sonnet = One(Extractor.Extract(SampleMarkdown), "claude-sonnet-4-5-20250929", "Model status");

        Assert.Equal(LifecycleStatus.Active, sonnet.Status);
        Assert.Null(sonnet.RetiresOn);
        Assert.Empty(sonnet.Problems);
    }

    [Fact]
    public void UnknownStateAndImpossibleDateAreProblems()
    {
        var x = One(Extractor.Extract(SampleMarkdown), "claude-x-1", "Model status");

        Assert.Null(x.Status);
        Assert.Null(x.RetiresOn);
        Assert.Equal(["unknown state 'Sunsetting' in Lifecycle state", "impossible date '2026-02-30' in Planned retirement"], x.Problems);
    }

    [Fact]
    public void AnnouncementSaidToBeRetiredMarksItsRowsRetired()
    {
        var claude2 = One(Extractor.Extract(SampleMarkdown), "claude-2.0", "2025-01-21");

        Assert.Equal(LifecycleStatus.Retired, claude2.Status);
        Assert.Equal(new DateOnly(2025, 1, 21), claude2.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 7, 21), claude2.RetiresOn);
        Assert.Equal(["claude-sonnet-4-5-20250929"], claude2.Replacements);
    }

    [Fact]
    public void ProductNameReplacementYieldsNoIdButStaysInEvidence()
    {
        var claude21 = One(Extractor.Extract(SampleMarkdown), "claude-2.1", "2025-01-21");

        Assert.Empty(claude21.Replacements);
        Assert.Equal("July 21, 2025 | claude-2.1 | Claude Sonnet 4 or later", claude21.Evidence);
    }

    [Fact]
    public void SampleHtmlStatusAndReorderedAnnouncementColumnsAreRead()
    {
        var observations = Extractor.Extract(SampleHtml);

        var claude1 = One(observations, "claude-1.0", "Model status");
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2024, 9, 4), new DateOnly(2024, 11, 6)),
            (claude1.Status!.Value, claude1.DeprecatedOn!.Value, claude1.RetiresOn!.Value));
        var sonnet37 = One(observations, "claude-3-7-sonnet-20250219", "2025-10-28");
        Assert.Equal(new DateOnly(2026, 2, 19), sonnet37.RetiresOn);
        Assert.Equal(new DateOnly(2025, 10, 28), sonnet37.DeprecatedOn);
        Assert.Equal(LifecycleStatus.Deprecated, sonnet37.Status);
        Assert.Equal(["claude-sonnet-4-5-20250929"], sonnet37.Replacements);
        Assert.Equal(3, observations.Count);
    }

    [Fact]
    public void AnnouncementTableWithAStatusColumnKeepsItsAnnouncementDate()
    {
        var observations = Extractor.Extract("""
            ### 2026-02-01: Claude Haiku 3 model

            | Model | Status | Retirement date | Recommended replacement |
            |---|---|---|---|
            | `claude-3-haiku-20240307` | Deprecated | August 1, 2026 | `claude-haiku-4-5-20251001` |
            """);

        var haiku = Assert.Single(observations);
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2026, 2, 1), new DateOnly(2026, 8, 1)),
            (haiku.Status!.Value, haiku.DeprecatedOn!.Value, haiku.RetiresOn!.Value));
        Assert.Equal(["claude-haiku-4-5-20251001"], haiku.Replacements);
    }

    [Fact]
    public void PageWithoutStatusOrRetirementTableIsRejected()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract("# Pricing\n\n| Model | Input |\n|---|---|\n| claude-2.1 | $8 |\n"));

        Assert.Contains("'Model status'", error.Message, StringComparison.Ordinal);
    }

    [SavedPageFact]
    public void SavedJune2025CopyFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("anthropic/model-deprecations.2025-06.md"));

        var instant = One(observations, "claude-instant-1.2", "Model status");
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2024, 9, 4), new DateOnly(2024, 11, 6)),
            (instant.Status!.Value, instant.DeprecatedOn!.Value, instant.RetiresOn!.Value));
        var claude2 = One(observations, "claude-2.0", "Model status");
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2025, 1, 21)), (claude2.Status!.Value, claude2.DeprecatedOn!.Value));
        Assert.Null(claude2.RetiresOn);
        var opus4 = One(observations, "claude-opus-4-20250514", "Model status");
        Assert.Equal(LifecycleStatus.Active, opus4.Status);
        Assert.Null(opus4.RetiresOn);

        var sonnet3 = One(observations, "claude-3-sonnet-20240229", "2025-01-21");
        Assert.Equal(new DateOnly(2025, 7, 21), sonnet3.RetiresOn);
        Assert.Equal(new DateOnly(2025, 1, 21), sonnet3.DeprecatedOn);
        Assert.Equal(["claude-3-5-sonnet-20241022"], sonnet3.Replacements);
        Assert.Equal("2025-01-21: Claude 2, Claude 2.1, and Claude Sonnet 3 models", sonnet3.Section);
        Assert.Equal(["claude-3-5-haiku-20241022"], One(observations, "claude-1.3", "2024-09-04").Replacements);
        Assert.Equal(new DateOnly(2024, 11, 6), One(observations, "claude-instant-1.0", "2024-09-04").RetiresOn);

        Assert.Equal(18, observations.Count(o => o.Section == "Model status"));
        Assert.Equal(28, observations.Count);
        Assert.All(observations, o => Assert.DoesNotContain('\u200B', o.Section!));
        Assert.All(observations, o => Assert.Empty(o.Problems));
    }

    [SavedPageFact]
    public void SavedDecember2025CopyFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("anthropic/model-deprecations.2025-12.md"));

        var opus3 = One(observations, "claude-3-opus-20240229", "Model status");
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2025, 6, 30), new DateOnly(2026, 1, 5), false),
            (opus3.Status!.Value, opus3.DeprecatedOn!.Value, opus3.RetiresOn!.Value, opus3.RetiresOnIsEstimate));
        var haiku45 = One(observations, "claude-haiku-4-5-20251001", "Model status");
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2026, 10, 15), true),
            (haiku45.Status!.Value, haiku45.RetiresOn!.Value, haiku45.RetiresOnIsEstimate));
        Assert.Equal(new DateOnly(2026, 2, 19), One(observations, "claude-3-7-sonnet-20250219", "Model status").RetiresOn);

        var sonnet35 = One(observations, "claude-3-5-sonnet-20240620", "2025-08-13");
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2025, 10, 28)), (sonnet35.Status!.Value, sonnet35.RetiresOn!.Value));
        Assert.Equal(["claude-sonnet-4-5-20250929"], sonnet35.Replacements);
        var opus3Announcement = One(observations, "claude-3-opus-20240229", "2025-06-30");
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2026, 1, 5)), (opus3Announcement.Status!.Value, opus3Announcement.RetiresOn!.Value));
        Assert.Equal(["claude-opus-4-1-20250805"], opus3Announcement.Replacements);
        // The replacement for Claude 2 was rewritten after publication.
        Assert.Equal(["claude-sonnet-4-5-20250929"], One(observations, "claude-2.1", "2025-01-21").Replacements);
        Assert.Equal(LifecycleStatus.Retired, One(observations, "claude-1.0", "2024-09-04").Status);

        Assert.Equal(10, observations.Count(o => o.Section == "Model status"));
        Assert.Equal(24, observations.Count);
        Assert.All(observations, o => Assert.Empty(o.Problems));
    }
}
