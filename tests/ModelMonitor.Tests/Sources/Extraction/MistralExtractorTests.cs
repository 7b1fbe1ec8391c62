using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class MistralExtractorTests
{
    private static readonly MistralExtractor Extractor = new();

    // Our own sample in the shape of Mistral's models overview: an active table (not lifecycle facts), a
    // "Legacy models" table with slashed dates, an alias list, and a table labelled by a bold list item.
    private const string SampleMarkdown = """
        ---
        id: sample
        ---

        ### Premier models

        | Model | API Endpoints | Version |
        |---|---|---|
        | Mistral Large | `mistral-large-latest` | 24.11 |

        Here are the details of the available versions:
        - `mistral-large-latest`: currently points to `mistral-large-2411`.
        - `open-mistral-nemo`: currently points to `open-mistral-nemo-2407`.

        ### Legacy models

        | Model | API Endpoints | Version | Deprecation on date | Retirement date | Alternative model |
        |---|---|---|---|---|---|
        | Mistral Large 24.02 | `mistral-large-2402` | 24.02 | 2024/11/30 | 2025/06/16 | `mistral-large-latest` or `mistral-medium-2505` |
        | Mistral Nemo 12B | `open-mistral-nemo` | 24.07 | 2025/06/10 | 2025/09/30 | `mistral-small-latest` |
        | Mistral Small 25.01 | `mistral-small-2409` | 25.01 | 2025/06/10 | 2026/02/30 | --- |
        | Mathstral | | v0.1 | 2025/06/10 | N/A | `magistral-small-latest` |

        - **Retired models**

        | Model | API Endpoints | Version |
        |---|---|---|
        | Mistral Tiny | `mistral-tiny` | 23.12 |
        """;

    private const string SampleHtml = """
        <!DOCTYPE html>
        <html><body>
        <h2>Models</h2>
        <table><tr><th>Model</th><th>API name</th></tr><tr><td>Codestral</td><td><code>codestral-2501</code></td></tr></table>
        <h3>Deprecated models</h3>
        <table>
          <tr><th>Model</th><th>API name</th><th>Deprecation date</th><th>Retirement date</th><th>Replacement</th></tr>
          <tr><td>Codestral 24.05</td><td><code>codestral-2405</code></td><td>2024/12/02</td><td>2025/06/16</td><td><code>codestral-latest</code></td></tr>
        </table>
        </body></html>
        """;

    private static Observation Single(IReadOnlyList<Observation> observations, string model) =>
        Assert.Single(observations, o => o.Model == model);

    private static IReadOnlyList<Observation> Saved(string page) => Extractor.Extract(SavedPages.Read("mistral/" + page));

    [Fact]
    public void ProviderNameIsMistral() => Assert.Equal("mistral", Extractor.Provider);

    [Fact]
    public void SampleMarkdownReadsSlashedDatesAndAliasReplacements()
    {
        var large = Single(Extractor.Extract(SampleMarkdown), "mistral-large-2402");

        Assert.Equal(LifecycleStatus.Legacy, large.Status);
        Assert.Equal(new DateOnly(2024, 11, 30), large.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 6, 16), large.RetiresOn);
        Assert.False(large.RetiresOnIsEstimate);
        Assert.Equal(["mistral-large-latest", "mistral-medium-2505"], large.Replacements);
        Assert.Equal("Legacy models", large.Section);
        Assert.Equal("mistral", large.Platform);
    }

    [Fact]
    public void SampleMarkdownReportsARowNamingAnAliasAsTheVersionItPointsTo()
    {
        var nemo = Single(Extractor.Extract(SampleMarkdown), "open-mistral-nemo-2407");

        Assert.Equal(["open-mistral-nemo"], nemo.Aliases);
        Assert.Equal(new DateOnly(2025, 9, 30), nemo.RetiresOn);
    }

    [Fact]
    public void SampleMarkdownReportsAnImpossibleDateAndAnIdThatContradictsItsName()
    {
        var small = Single(Extractor.Extract(SampleMarkdown), "mistral-small-2409");

        Assert.Null(small.RetiresOn);
        Assert.Equal(new DateOnly(2025, 6, 10), small.DeprecatedOn);
        Assert.Contains(small.Problems, p => p.Contains("2026/02/30", StringComparison.Ordinal) && p.Contains("Retirement date", StringComparison.Ordinal));
        Assert.Contains(small.Problems, p => p.Contains("'Mistral Small 25.01'", StringComparison.Ordinal));
        Assert.Empty(small.Replacements);
    }

    [Fact]
    public void SampleMarkdownSlugsARowWithoutAnApiName()
    {
        var mathstral = Single(Extractor.Extract(SampleMarkdown), "mathstral");

        Assert.Null(mathstral.RetiresOn);
        Assert.Equal(["magistral-small-latest"], mathstral.Replacements);
        Assert.Contains(mathstral.Problems, p => p.Contains("'Mathstral'", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleMarkdownReadsATableLabelledByABoldListItemAndSkipsActiveTables()
    {
        var observations = Extractor.Extract(SampleMarkdown);
        var tiny = Single(observations, "mistral-tiny");

        Assert.Equal(LifecycleStatus.Retired, tiny.Status);
        Assert.Equal("Retired models", tiny.Section);
        Assert.DoesNotContain(observations, o => o.Model == "mistral-large-2411" || o.Model == "mistral-large-latest");
        Assert.Equal(5, observations.Count);
    }

    [Fact]
    public void SampleHtmlReadsADeprecatedTable()
    {
        var observations = Extractor.Extract(SampleHtml);
        var codestral = Assert.Single(observations);

        Assert.Equal("codestral-2405", codestral.Model);
        Assert.Equal(LifecycleStatus.Deprecated, codestral.Status);
        Assert.Equal(new DateOnly(2024, 12, 2), codestral.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 6, 16), codestral.RetiresOn);
        Assert.Equal(["codestral-latest"], codestral.Replacements);
        Assert.Equal("Deprecated models", codestral.Section);
    }

    [Theory]
    [InlineData("")]
    [InlineData("### Premier models\n\n| Model | API Endpoints |\n|---|---|\n| Mistral Large | `mistral-large-latest` |\n")]
    [InlineData("<html><body><h2>Legacy</h2><p>No table.</p></body></html>")]
    [InlineData("\u0000 binary")]
    public void APageWithoutALegacyTableIsAnExtractionError(string content)
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract(content));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [SavedPageFact]
    public void SavedSeptember2024PageYieldsTheUndatedLegacyModels()
    {
        var observations = Saved("models-overview.2024-09.md");

        Assert.Equal(["open-mistral-7b", "open-mixtral-8x7b", "open-mixtral-8x22b"], observations.Select(o => o.Model));
        Assert.All(observations, o => Assert.Equal(LifecycleStatus.Legacy, o.Status));
        Assert.All(observations, o => Assert.Equal("Legacy models", o.Section));
        Assert.All(observations, o => Assert.Null(o.RetiresOn));
        Assert.All(observations, o => Assert.Null(o.DeprecatedOn));
        Assert.All(observations, o => Assert.Empty(o.Replacements));
        Assert.All(observations, o => Assert.Empty(o.Problems));
        Assert.All(observations, o => Assert.Null(o.Version));
        Assert.Contains("v0.3", Single(observations, "open-mistral-7b").Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(observations, o => o.Model.Contains("latest", StringComparison.Ordinal));
    }

    [SavedPageFact]
    public void SavedJanuary2025PageReadsTheDatedLegacyTable()
    {
        var observations = Saved("models-overview.2025-01.md");
        var mistral7b = Single(observations, "open-mistral-7b");

        Assert.Equal(8, observations.Count);
        Assert.Equal(new DateOnly(2024, 11, 30), mistral7b.DeprecatedOn);
        Assert.Equal(new DateOnly(2025, 3, 30), mistral7b.RetiresOn);
        Assert.False(mistral7b.RetiresOnIsEstimate);
        Assert.Equal(["ministral-8b-latest"], mistral7b.Replacements);
        Assert.Equal(LifecycleStatus.Legacy, mistral7b.Status);
        Assert.Equal("Legacy models", mistral7b.Section);
    }

    [SavedPageFact]
    public void SavedJanuary2025PageReadsEachLegacyRow()
    {
        var observations = Saved("models-overview.2025-01.md");

        Assert.Equal(new DateOnly(2024, 12, 2), Single(observations, "codestral-2405").DeprecatedOn);
        Assert.Equal(["codestral-latest"], Single(observations, "codestral-2405").Replacements);
        Assert.Equal(["mistral-large-latest"], Single(observations, "mistral-large-2407").Replacements);
        Assert.Equal(["mistral-small-latest"], Single(observations, "mistral-medium-2312").Replacements);
        Assert.Empty(Single(observations, "mistral-small-2402").Problems);
        Assert.Equal(new DateOnly(2025, 3, 30), Single(observations, "open-mixtral-8x22b").RetiresOn);
        Assert.DoesNotContain(observations, o => o.Model == "codestral-2501" || o.Model == "codestral-latest");
    }

    [SavedPageFact]
    public void SavedJune2025PageReadsMovedDatesAndNewRows()
    {
        var observations = Saved("models-overview.2025-06.md");

        Assert.Equal(16, observations.Count);
        Assert.Equal(new DateOnly(2025, 6, 16), Single(observations, "mistral-medium-2312").RetiresOn);
        Assert.Equal(["mistral-medium-latest"], Single(observations, "mistral-large-2402").Replacements);
        Assert.Equal(new DateOnly(2025, 3, 30), Single(observations, "mistral-large-2407").RetiresOn);
        Assert.Equal(new DateOnly(2026, 3, 31), Single(observations, "mistral-ocr-2503").RetiresOn);
        Assert.Equal(["mistral-ocr-latest"], Single(observations, "mistral-ocr-2503").Replacements);
        Assert.Equal(new DateOnly(2025, 6, 10), Single(observations, "pixtral-12b-2409").DeprecatedOn);
    }

    [SavedPageFact]
    public void SavedJune2025PageResolvesTheNemoAliasAndSlugsMathstral()
    {
        var observations = Saved("models-overview.2025-06.md");
        var nemo = Single(observations, "open-mistral-nemo-2407");
        var mathstral = Single(observations, "mathstral");

        Assert.Equal(["open-mistral-nemo"], nemo.Aliases);
        Assert.Equal(new DateOnly(2025, 9, 30), nemo.RetiresOn);
        Assert.Equal(["magistral-small-latest"], mathstral.Replacements);
        Assert.Equal(new DateOnly(2025, 9, 30), mathstral.RetiresOn);
        Assert.Single(mathstral.Problems);
        Assert.Equal(["mistral-large-latest"], Single(observations, "mistral-large-2411").Aliases);
    }

    [SavedPageFact]
    public void SavedJune2025PageKeepsBothRowsThatGiveTheSameIdAndFlagsTheContradiction()
    {
        var small = Saved("models-overview.2025-06.md").Where(o => o.Model == "mistral-small-2409").ToList();

        Assert.Equal([new DateOnly(2025, 9, 30), new DateOnly(2026, 1, 31)], small.Select(o => o.RetiresOn!.Value));
        Assert.Empty(small[0].Problems);
        Assert.Contains(small[1].Problems, p => p.Contains("'Mistral Small 25.01'", StringComparison.Ordinal));
        Assert.All(small, o => Assert.Equal(["mistral-small-latest"], o.Replacements));
    }
}
