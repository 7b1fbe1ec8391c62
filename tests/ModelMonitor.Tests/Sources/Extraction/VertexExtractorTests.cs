using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class VertexExtractorTests
{
    private static readonly VertexExtractor Extractor = new();

    // Our own page in the shape of Google Cloud's model versions page.
    private const string SampleMarkdown = """
        # Model versions and lifecycle

        ## Latest stable models

        Retirement dates may be extended; they are the earliest possible.

        | Model ID | Release date | Retirement date | Details |
        |---|---|---|---|
        | `gemini-2.0-flash-001` | February 5, 2025 | February 5, 2026 | Launch blog post |
        | `text-embedding-005` | November 18, 2024 | No retirement date announced | |

        ## Legacy stable models

        | Recommended upgrade | Model ID | Retirement date | Release date |
        |---|---|---|---|
        | `gemini-2.0-flash` | `gemini-1.5-pro-002*` | September 24, 2025 | September 24, 2024 |

        *: Restricted for new projects.

        ## Gemini auto-updated aliases

        | Auto-updated alias | Stable version reference |
        |---|---|
        | `gemini-2.0-flash` | `gemini-2.0-flash-001` |
        | `gemini-1.5-pro` | `gemini-1.5-pro-002` |

        ## Retired models

        | Model ID | Release date | Retirement date | Recommended upgrade |
        |---|---|---|---|
        | `text-bison` | May 2023 | April 21, 2025 | `gemini-2.0-flash-lite` |
        | `chat-bison@003` | May 2023 | 2525-04-21 | `gemini-2.0-flash-lite` |
        """;

    private const string SampleHtml = """
        <!DOCTYPE html><html><body>
        <h1>Model versions and lifecycle</h1>
        <h2>Latest available models</h2>
        <p>Google can push these dates back, but none of them will be moved earlier.</p>
        <h3>Veo models</h3>
        <table>
          <tr><th>Model ID</th><th>Release date</th><th>Retirement date</th></tr>
          <tr><td><code>veo-3.0-generate-001</code></td><td>July 29, 2025</td><td>June 30, 2026</td></tr>
          <tr><td><code>veo-3.1-generate-001</code></td><td>November 17, 2025</td><td>Not before November 17, 2026</td></tr>
        </table>
        <h3>Retired models</h3>
        <table>
          <thead><tr><th>Model ID</th><th>Release date</th><th>Retirement date</th><th>Recommended upgrade</th></tr></thead>
          <tbody><tr><td><code>imagetext</code></td><td>June 7, 2023</td><td>September 24, 2025</td><td><code>gemini-2.5-flash-image</code></td></tr></tbody>
        </table>
        </body></html>
        """;

    private static Observation One(IReadOnlyList<Observation> observations, string model, string? section = null) =>
        Assert.Single(observations, o => o.Model == model && (section is null || o.Section == section));

    [Fact]
    public void LatestStableRowIsActiveWithReleaseRetirementAndAlias()
    {
        var flash = One(Extractor.Extract(SampleMarkdown), "gemini-2.0-flash-001");

        Assert.Equal(("google-vertex", "google-vertex"), (flash.Provider, flash.Platform));
        Assert.Equal(LifecycleStatus.Active, flash.Status);
        Assert.Equal(new DateOnly(2025, 2, 5), flash.ReleasedOn);
        Assert.Equal(new DateOnly(2026, 2, 5), flash.RetiresOn);
        Assert.Equal(["gemini-2.0-flash"], flash.Aliases);
        Assert.Empty(flash.Replacements);
        Assert.Equal("Latest stable models", flash.Section);
    }

    [Fact]
    public void PageSayingDatesAreEarliestMakesThemEstimates()
    {
        Assert.True(One(Extractor.Extract(SampleMarkdown), "gemini-2.0-flash-001").RetiresOnIsEstimate);
    }

    [Fact]
    public void NoRetirementDateAnnouncedIsNoDateAndNoProblem()
    {
        var embedding = One(Extractor.Extract(SampleMarkdown), "text-embedding-005");

        Assert.Null(embedding.RetiresOn);
        Assert.Empty(embedding.Problems);
    }

    [Fact]
    public void ReorderedColumnsAndFootnoteMarkAreHandled()
    {
        var pro = One(Extractor.Extract(SampleMarkdown), "gemini-1.5-pro-002");

        Assert.Equal(LifecycleStatus.Legacy, pro.Status);
        Assert.Equal(new DateOnly(2025, 9, 24), pro.RetiresOn);
        Assert.Equal(new DateOnly(2024, 9, 24), pro.ReleasedOn);
        Assert.Equal(["gemini-2.0-flash"], pro.Replacements);
        Assert.Equal(["gemini-1.5-pro"], pro.Aliases);
    }

    [Fact]
    public void AliasTableRowsAreNotModelsOfTheirOwn()
    {
        Assert.DoesNotContain(Extractor.Extract(SampleMarkdown), o => o.Model == "gemini-1.5-pro");
    }

    [Fact]
    public void RetiredSectionRowsAreRetiredWithMonthOnlyReleaseDates()
    {
        var bison = One(Extractor.Extract(SampleMarkdown), "text-bison");

        Assert.Equal(LifecycleStatus.Retired, bison.Status);
        Assert.Equal(new DateOnly(2023, 5, 1), bison.ReleasedOn);
        Assert.Equal(new DateOnly(2025, 4, 21), bison.RetiresOn);
        Assert.False(bison.RetiresOnIsEstimate);
    }

    [Fact]
    public void ImpossibleYearIsAProblem()
    {
        var chat = One(Extractor.Extract(SampleMarkdown), "chat-bison@003");

        Assert.Null(chat.RetiresOn);
        Assert.Equal(["impossible date '2525-04-21' in Retirement date"], chat.Problems);
    }

    [Fact]
    public void SampleHtmlIsReadWithStagesFromHeadings()
    {
        var observations = Extractor.Extract(SampleHtml);

        var veo3 = One(observations, "veo-3.0-generate-001");
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2026, 6, 30), true), (veo3.Status!.Value, veo3.RetiresOn!.Value, veo3.RetiresOnIsEstimate));
        Assert.Equal("Veo models", veo3.Section);
        Assert.Equal(new DateOnly(2026, 11, 17), One(observations, "veo-3.1-generate-001").RetiresOn);
        var imagetext = One(observations, "imagetext");
        Assert.Equal((LifecycleStatus.Retired, false), (imagetext.Status!.Value, imagetext.RetiresOnIsEstimate));
        Assert.Equal(["gemini-2.5-flash-image"], imagetext.Replacements);
    }

    [Fact]
    public void PageWithoutRetirementTableIsRejected()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract("<html><body><h1>Locations</h1><table><tr><th>Region</th></tr><tr><td>us-central1</td></tr></table></body></html>"));

        Assert.Contains("'Retirement date'", error.Message, StringComparison.Ordinal);
    }

    [SavedPageFact]
    public void SavedMay2025CopyFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("google/vertex-model-versions.2025-05.md"));

        var flashLite = One(observations, "gemini-2.0-flash-lite-001");
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2025, 2, 25), new DateOnly(2026, 2, 25)),
            (flashLite.Status!.Value, flashLite.ReleasedOn!.Value, flashLite.RetiresOn!.Value));
        Assert.Equal(["gemini-2.0-flash-lite"], flashLite.Aliases);
        Assert.Null(One(observations, "multimodalembedding@001").RetiresOn);
        var gecko3 = One(observations, "textembedding-gecko@003");
        Assert.Equal((LifecycleStatus.Legacy, new DateOnly(2025, 5, 24)), (gecko3.Status!.Value, gecko3.RetiresOn!.Value));
        Assert.Equal(["text-embedding-005"], gecko3.Replacements);
        var pro002 = One(observations, "gemini-1.5-pro-002");
        Assert.Equal((new DateOnly(2025, 9, 24), LifecycleStatus.Legacy), (pro002.RetiresOn!.Value, pro002.Status!.Value));
        Assert.Equal(["gemini-1.5-pro"], pro002.Aliases);
        Assert.Equal(["gemini-2.0-flash"], pro002.Replacements);
        Assert.Equal(new DateOnly(2025, 11, 18), One(observations, "text-embedding-004").RetiresOn);
        var bison = One(observations, "chat-bison");
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2025, 4, 21), new DateOnly(2023, 5, 1)),
            (bison.Status!.Value, bison.RetiresOn!.Value, bison.ReleasedOn!.Value));
        Assert.Equal(["text-embedding-005"], One(observations, "textembedding-gecko@001").Replacements);
        Assert.DoesNotContain(observations, o => o.RetiresOnIsEstimate);
        Assert.All(observations, o => Assert.Empty(o.Problems));
        Assert.Equal(20, observations.Count);
    }

    [SavedPageFact]
    public void SavedJuly2026CopyFacts()
    {
        var observations = Extractor.Extract(SavedPages.Read("google/vertex-model-versions.2026-07.md"));

        var flash35 = One(observations, "gemini-3.5-flash");
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2027, 5, 19), true), (flash35.Status!.Value, flash35.RetiresOn!.Value, flash35.RetiresOnIsEstimate));
        Assert.Equal("Gemini models", flash35.Section);
        Assert.Equal(new DateOnly(2026, 12, 13), One(observations, "gemini-live-2.5-flash-native-audio").RetiresOn);
        Assert.Equal(new DateOnly(2026, 10, 16), One(observations, "gemini-2.5-pro").RetiresOn);
        Assert.Null(One(observations, "veo-3.1-generate-001").RetiresOn);
        Assert.Equal(new DateOnly(2026, 6, 30), One(observations, "veo-2.0-generate-001").RetiresOn);
        // The malformed table (3 header cells, 4 delimiter cells, one 5-cell row) still reads.
        Assert.Equal(new DateOnly(2028, 5, 20), One(observations, "gemini-embedding-001").RetiresOn);
        Assert.Equal(new DateOnly(2027, 4, 1), One(observations, "text-embedding-004").RetiresOn);
        var shortTerm = One(observations, "gemini-3.1-flash-lite-image");
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2026, 6, 30)), (shortTerm.Status!.Value, shortTerm.ReleasedOn!.Value));
        Assert.Null(shortTerm.RetiresOn);

        var flash20 = One(observations, "gemini-2.0-flash");
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2026, 6, 1), false), (flash20.Status!.Value, flash20.RetiresOn!.Value, flash20.RetiresOnIsEstimate));
        Assert.Equal(["gemini-3.1-flash-lite"], flash20.Replacements);
        Assert.Equal(["gemini-embedding-001"], One(observations, "textembedding-gecko@003").Replacements);
        Assert.Equal(new DateOnly(2025, 9, 24), One(observations, "imagetext").RetiresOn);
        Assert.All(observations, o => Assert.Empty(o.Problems));
        Assert.Equal(37, observations.Count);
    }
}
