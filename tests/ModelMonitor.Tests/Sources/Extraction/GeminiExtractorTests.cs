using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

// The Gemini API deprecations page is not among the saved copies; these samples follow its described
// structure: a section per model family, bold headers, a "Preview models" divider row inside the table,
// "No shutdown date announced", month-only dates and a note that the dates are the earliest possible.
public sealed class GeminiExtractorTests
{
    private static readonly GeminiExtractor Extractor = new();

    private const string SampleMarkdown = """
        # Gemini deprecations

        This page lists when Gemini API models will be turned off. Each shutdown date below is the
        earliest possible date; a model may stay available for longer.

        ## Gemini 2.5 Flash

        | **Model** | **Release date** | **Shutdown date** | **Recommended replacement** |
        |---|---|---|---|
        | `gemini-2.5-flash` | June 17, 2025 | June 17, 2026 | `gemini-3-flash-preview` |
        | **Preview models** | | | |
        | `gemini-2.5-flash-preview-09-2025` | September 25, 2025 | February 2026 | `gemini-2.5-flash` |
        | `gemini-2.5-flash-preview-05-20` | May 20, 2025 | 2025-11-31 | `gemini-2.5-flash` |

        ## Gemini 2.0 Flash

        | **Model** | **Release date** | **Shutdown date** | **Recommended replacement** |
        |---|---|---|---|
        | `gemini-2.0-flash`, `gemini-2.0-flash-001` | February 5, 2025 | March 2026 | `gemini-2.5-flash` or `gemini-2.5-flash-lite` |
        | `gemini-2.0-flash-lite` | February 25, 2025 | No shutdown date announced | --- |

        ## Embeddings

        | **Model** | **Release date** | **Shutdown date** | **Recommended replacement** |
        |---|---|---|---|
        | Text Embedding 004 | April 9, 2024 | January 14, 2026 | `gemini-embedding-001` |
        """;

    private const string SampleHtml = """
        <!DOCTYPE html><html><body>
        <nav><a href="/gemini-api/docs">Docs</a></nav>
        <article>
        <h1>Gemini deprecations</h1>
        <p>Shutdown dates shown here are the earliest possible; we may keep a model running longer.</p>
        <h2 id="gemini-1.5">Gemini 1.5 Pro</h2>
        <table>
          <thead><tr><th><strong>Model</strong></th><th><b>Release date</b></th><th><b>Shutdown date</b></th><th><b>Recommended replacement</b></th></tr></thead>
          <tbody>
            <tr><td><code>gemini-1.5-pro-002</code></td><td>September 24, 2024</td><td>September 24, 2025</td><td><code>gemini-2.5-pro</code></td></tr>
            <tr><td colspan="4"><strong>Preview models</strong></td></tr>
            <tr><td><code>gemini-1.5-pro-exp-0827</code></td><td>August 27, 2024</td><td>N/A</td><td><code>gemini-2.5-pro</code></td></tr>
          </tbody>
        </table>
        <h2>Imagen</h2>
        <table>
          <tr><th>Recommended replacement</th><th>Shutdown date</th><th>Model</th><th>Notes</th></tr>
          <tr><td><code>imagen-4.0-generate-001</code></td><td>November 10, 2025</td><td>Imagen 3</td><td>Covers <code>imagen-3.0-generate-002</code></td></tr>
        </table>
        </article>
        </body></html>
        """;

    private static Observation One(IReadOnlyList<Observation> observations, string model) =>
        Assert.Single(observations, o => o.Model == model);

    [Fact]
    public void StableRowIsDeprecatedWithAnEarliestPossibleShutdown()
    {
        var flash = One(Extractor.Extract(SampleMarkdown), "gemini-2.5-flash");

        Assert.Equal(("google-gemini", "google-gemini"), (flash.Provider, flash.Platform));
        Assert.Equal(LifecycleStatus.Deprecated, flash.Status);
        Assert.Equal(new DateOnly(2025, 6, 17), flash.ReleasedOn);
        Assert.Equal(new DateOnly(2026, 6, 17), flash.RetiresOn);
        Assert.True(flash.RetiresOnIsEstimate);
        Assert.Equal(DatePrecision.Day, flash.RetiresOnPrecision);
        Assert.Equal(["gemini-3-flash-preview"], flash.Replacements);
        Assert.Equal("Gemini 2.5 Flash", flash.Section);
    }

    [Fact]
    public void RowsBelowThePreviewDividerArePreviews()
    {
        var preview = One(Extractor.Extract(SampleMarkdown), "gemini-2.5-flash-preview-09-2025");

        Assert.Equal(LifecycleStatus.Preview, preview.Status);
    }

    [Fact]
    public void DividerRowIsNotAModel()
    {
        Assert.DoesNotContain(Extractor.Extract(SampleMarkdown), o => o.Evidence!.StartsWith("Preview models", StringComparison.Ordinal));
    }

    [Fact]
    public void MonthOnlyShutdownIsTheFirstOfTheMonthWithMonthPrecision()
    {
        var preview = One(Extractor.Extract(SampleMarkdown), "gemini-2.5-flash-preview-09-2025");

        Assert.Equal(new DateOnly(2026, 2, 1), preview.RetiresOn);
        Assert.Equal(DatePrecision.Month, preview.RetiresOnPrecision);
        Assert.True(preview.RetiresOnIsEstimate);
    }

    [Fact]
    public void ImpossibleShutdownIsAProblem()
    {
        var old = One(Extractor.Extract(SampleMarkdown), "gemini-2.5-flash-preview-05-20");

        Assert.Null(old.RetiresOn);
        Assert.Equal(["impossible date '2025-11-31' in Shutdown date"], old.Problems);
    }

    [Fact]
    public void SeveralIdsInOneCellShareTheRow()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        foreach (var id in new[] { "gemini-2.0-flash", "gemini-2.0-flash-001" })
        {
            var flash = One(observations, id);
            Assert.Equal(new DateOnly(2026, 3, 1), flash.RetiresOn);
            Assert.Equal(["gemini-2.5-flash", "gemini-2.5-flash-lite"], flash.Replacements);
        }
    }

    [Fact]
    public void NoShutdownDateAnnouncedAndDashesMeanNothing()
    {
        var lite = One(Extractor.Extract(SampleMarkdown), "gemini-2.0-flash-lite");

        Assert.Null(lite.RetiresOn);
        Assert.False(lite.RetiresOnIsEstimate);
        Assert.Empty(lite.Replacements);
        Assert.Empty(lite.Problems);
    }

    [Fact]
    public void DisplayNameWithoutAnIdIsNotReported()
    {
        var observations = Extractor.Extract(SampleMarkdown);

        Assert.DoesNotContain(observations, o => o.Section == "Embeddings");
        Assert.Equal(6, observations.Count);
    }

    [Fact]
    public void SampleHtmlWithColspanDividerIsRead()
    {
        var observations = Extractor.Extract(SampleHtml);

        var pro = One(observations, "gemini-1.5-pro-002");
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2025, 9, 24), true), (pro.Status!.Value, pro.RetiresOn!.Value, pro.RetiresOnIsEstimate));
        Assert.Equal("Gemini 1.5 Pro", pro.Section);
        var exp = One(observations, "gemini-1.5-pro-exp-0827");
        Assert.Equal(LifecycleStatus.Preview, exp.Status);
        Assert.Null(exp.RetiresOn);
    }

    [Fact]
    public void ReorderedColumnsAndIdsInANotesColumnAreRead()
    {
        var imagen = One(Extractor.Extract(SampleHtml), "imagen-3.0-generate-002");

        Assert.Equal(new DateOnly(2025, 11, 10), imagen.RetiresOn);
        Assert.Equal(["imagen-4.0-generate-001"], imagen.Replacements);
        Assert.Equal("Imagen", imagen.Section);
    }

    [Fact]
    public void DisplayNameWithThePlainIdInParenthesesOrANotesColumnIsRead()
    {
        var observations = Extractor.Extract("""
            ## Gemini 1.5 Flash

            | Model | Shutdown date | Notes |
            |---|---|---|
            | Gemini 1.5 Flash (gemini-1.5-flash-002) | September 24, 2025 | |
            | Gemini 1.5 Flash 8B | September 24, 2025 | Includes gemini-1.5-flash-8b-001 |
            """);

        Assert.Equal(["gemini-1.5-flash-002", "gemini-1.5-flash-8b-001"], observations.Select(o => o.Model));
        Assert.All(observations, o => Assert.Equal(new DateOnly(2025, 9, 24), o.RetiresOn));
    }

    [Fact]
    public void PageWithoutShutdownTableIsRejected()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract("# Gemini models\n\n| Model | Input |\n|---|---|\n| `gemini-2.5-pro` | text |\n"));

        Assert.Contains("'Shutdown date'", error.Message, StringComparison.Ordinal);
    }

    [SavedPageFact]
    public void ReleaseNotesAreNotTheDeprecationsPage()
    {
        var error = Assert.Throws<ExtractionException>(() => Extractor.Extract(SavedPages.Read("google/gemini-api-release-notes.2025-11.html")));

        Assert.Contains("Gemini API deprecations page", error.Message, StringComparison.Ordinal);
    }
}
