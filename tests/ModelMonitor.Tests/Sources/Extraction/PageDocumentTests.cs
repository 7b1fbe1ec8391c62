using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class PageDocumentTests
{
    private const string Markdown = """
        ---
        title: Sample lifecycle page
        updated: 2025-06-01
        ---

        # Lifecycle

        Dates below are the earliest possible.

        <Note>
        Retired models stop answering requests.
        </Note>

        ## 2024-06-06: Older chat models

        | **Shutdown date** | Model | Replacement |
        | --- | --- | --- |
        | 2025-06-06 | `gpt-4-32k`<br>`gpt-4-32k-0613` | `gpt-4o` |
        | 2025-06-06 | <code>gpt-4-vision-preview</code> | gpt-4o or gpt-4.1* |
        | N/A | claude-2.0† \| claude-2.1 | --- |

        - Item naming `o1-mini` in a list.

        ## Later ​announcements

        | Model | Retires |
        |---|---|
        | a-1 | 2026-01-01 |

        | b-2 | 2026-02-01 |
        | c-3 | 2026-03-01 |
        """;

    private const string Html = """
        <!DOCTYPE html>
        <html><head><title>t</title><script>var h2 = "<h2>no</h2>";</script></head>
        <body>
        <nav><h2>Navigation</h2><table><tr><th>Not</th></tr></table></nav>
        <h2>Active models <a href="#a">#</a></h2>
        <p>Models in <code>Active</code> state.</p>
        <table>
          <thead><tr><th>Provider</th><th>Model</th><th>Model ID</th><th>Regions</th><th>Launch</th><th>EOL</th><th>Notes</th></tr></thead>
          <tbody>
            <tr><td rowspan="2">Anthropic</td><td>Claude 3 Haiku</td><td><code>anthropic.claude-3-haiku-20240307-v1:0</code><sup>1</sup></td><td>us-east-1<br>us-west-2</td><td>3/14/2024</td><td>No sooner than 3/14/2025</td><td>none</td><td>extra</td></tr>
            <tr><td>Claude 3 Opus</td><td><code>anthropic.claude-3-opus-20240229-v1:0</code></td><td colspan="2">us-west-2</td><td>N/A</td><td></td></tr>
          </tbody>
        </table>
        <h3>Legacy</h3>
        <ul><li>One <code>titan-text-lite</code> item<ul><li>Nested item</li></ul></li></ul>
        <table><tr><th>Model</th><th>Legacy date</th></tr><tr><td>titan-x</td><td>2025-01-01</td></tr></table>
        </body></html>
        """;

    [Fact]
    public void MarkdownIsDetectedDespiteFrontMatterAndComponents()
    {
        Assert.Equal(PageFormat.Markdown, PageDocument.Parse(Markdown).Format);
    }

    [Fact]
    public void FrontMatterIsNotPageText()
    {
        var texts = PageDocument.Parse(Markdown).Blocks.OfType<PageText>().Select(t => t.Text);

        Assert.DoesNotContain(texts, t => t.Contains("Sample lifecycle page", StringComparison.Ordinal));
        Assert.Contains("Dates below are the earliest possible.", texts);
    }

    [Theory]
    [InlineData("---\ntitle: Lifecycle\n---\n# Models\nBody text.\n")]
    [InlineData("---\r\ntitle: Lifecycle\r\n---\r\n# Models\r\nBody text.\r\n")]
    [InlineData("\uFEFF---\ntitle: Lifecycle\ndescription: |\n  # not a heading\n...\n# Models\n\nBody text.")]
    [InlineData("---   \ntitle: Lifecycle\n\n---\n\n\n# Models\n    \nBody text.\n")]
    [InlineData("---\ntitle: Lifecycle\n\nsummary: not body text\n\n---\n# Models\nBody text.\n")]
    public void FrontMatterIsPassedOverWhateverItsLineEndings(string page)
    {
        var blocks = PageDocument.Parse(page).Blocks;

        Assert.Equal(2, blocks.Count);
        Assert.Equal("Models", Assert.IsType<PageHeading>(blocks[0]).Text);
        Assert.Equal("Body text.", Assert.IsType<PageText>(blocks[1]).Text);
    }

    [Theory]
    [InlineData("---\ntitle: Lifecycle\n---", 0)]
    [InlineData("---\ntitle: Lifecycle\n\nText without an end to the front matter.\n", 2)]
    public void OnlyAClosedBlockAtTheTopIsFrontMatter(string page, int textBlocks)
    {
        Assert.Equal(textBlocks, PageDocument.Parse(page).Blocks.OfType<PageText>().Count());
    }

    [Fact]
    public void MdxComponentContentIsReadAsText()
    {
        var texts = PageDocument.Parse(Markdown).Blocks.OfType<PageText>().Select(t => t.Text);

        Assert.Contains("Retired models stop answering requests.", texts);
    }

    [Theory]
    [InlineData("<Note>\nThese models were   retired on\nJuly 21, 2025.\n</Note>")]
    [InlineData("<Note>\nThese <b>models</b> were retired on <i>July 21, 2025</i>.\n</Note>")]
    [InlineData("<Note>\nThese models were retired on July&nbsp;21, 2025.\n</Note>")]
    public void ACalloutReadsAsTheSameParagraphWithOrWithoutMarkup(string callout)
    {
        var blocks = PageDocument.Parse($"# Models\n\n{callout}\n\nAfter.\n").Blocks;

        var text = Assert.IsType<PageText>(blocks[1]);
        Assert.Equal("These models were retired on July 21, 2025.", text.Text);
        Assert.Equal(["Models"], text.Headings);
        Assert.False(text.IsListItem);
    }

    [Fact]
    public void MarkdownTableCarriesPlainHeaderAndSection()
    {
        var table = PageDocument.Parse(Markdown).Tables.First();

        Assert.Equal(["Shutdown date", "Model", "Replacement"], table.Header.Select(c => c.Text));
        Assert.Equal("2024-06-06: Older chat models", table.Section);
        Assert.Equal(["Lifecycle", "2024-06-06: Older chat models"], table.Headings);
        Assert.Equal(1, table.Column("model"));
        Assert.Equal(0, table.Column("shutdown", "retire"));
        Assert.Equal(-1, table.Column("release"));
    }

    [Fact]
    public void MarkdownBrSplitsCellLinesAndKeepsCodeSpans()
    {
        var cell = PageDocument.Parse(Markdown).Tables.First().Rows[0][1];

        Assert.Equal(["gpt-4-32k", "gpt-4-32k-0613"], cell.Lines);
        Assert.Equal(["gpt-4-32k", "gpt-4-32k-0613"], cell.Codes);
        Assert.Equal("gpt-4-32k gpt-4-32k-0613", cell.Text);
    }

    [Fact]
    public void MarkdownInlineHtmlCodeIsACodeSpan()
    {
        var cell = PageDocument.Parse(Markdown).Tables.First().Rows[1][1];

        Assert.Equal(["gpt-4-vision-preview"], cell.Codes);
    }

    [Fact]
    public void MarkdownEscapedPipeStaysInsideTheCell()
    {
        var row = PageDocument.Parse(Markdown).Tables.First().Rows[2];

        Assert.Equal(3, row.Count);
        Assert.Equal(["claude-2.0", "claude-2.1"], ModelIds.FromCell(row[1]));
    }

    [Fact]
    public void HeadingsLoseZeroWidthCharacters()
    {
        var headings = PageDocument.Parse(Markdown).Blocks.OfType<PageHeading>().Select(h => h.Text);

        Assert.Contains("Later announcements", headings);
    }

    [Fact]
    public void BlankLineSplitMarkdownTableIsRejoined()
    {
        var tables = PageDocument.Parse(Markdown).Tables.ToList();

        Assert.Equal(2, tables.Count);
        Assert.Equal(["a-1", "b-2", "c-3"], tables[1].Rows.Select(r => r[0].Text));
    }

    // Plain rows are read from the paragraph Markdig has already parsed; escapes and emphasis across a pipe are
    // parsed again as a table. Either way a row has the cells a table would give it.
    [Theory]
    [InlineData("| `c` | 2<br>3 | [d](https://example.com/d) |", "c", "2 3", "d")]
    [InlineData("| *c | 2* | d |", "*c", "2*", "d")]
    [InlineData("| c \\| x | 2 | d |", "c | x", "2", "d")]
    public void ARejoinedRowHasTheCellsATableWouldGiveIt(string row, string first, string second, string third)
    {
        var markdown = $"| Model | Version | Replacement |\n|---|---|---|\n| a | 1 | b |\n\n{row}\n";

        var rows = PageDocument.Parse(markdown).Tables.Single().Rows;

        Assert.Equal(2, rows.Count);
        Assert.Equal([first, second, third], rows[1].Select(c => c.Text));
    }

    [Fact]
    public void ListItemsAreMarkedAsSuch()
    {
        var item = PageDocument.Parse(Markdown).Blocks.OfType<PageText>().Single(t => t.Text.Contains("o1-mini", StringComparison.Ordinal));

        Assert.True(item.IsListItem);
        Assert.Equal(["o1-mini"], item.Codes);
    }

    [Fact]
    public void HtmlIsDetected()
    {
        Assert.Equal(PageFormat.Html, PageDocument.Parse(Html).Format);
    }

    [Fact]
    public void HtmlNavigationAndScriptsAreIgnored()
    {
        var document = PageDocument.Parse(Html);

        Assert.Equal(2, document.Tables.Count());
        Assert.DoesNotContain(document.Blocks.OfType<PageHeading>(), h => h.Text is "Navigation" or "no");
    }

    [Fact]
    public void HtmlHeadingDropsAnchorMark()
    {
        var table = PageDocument.Parse(Html).Tables.First();

        Assert.Equal("Active models", table.Section);
    }

    [Fact]
    public void HtmlRowspanCellRepeatsInTheNextRow()
    {
        var table = PageDocument.Parse(Html).Tables.First();

        Assert.Equal("Anthropic", table.Rows[1][0].Text);
        Assert.Equal("Claude 3 Opus", table.Rows[1][1].Text);
    }

    [Fact]
    public void HtmlColspanCellFillsEachColumnItSpans()
    {
        var row = PageDocument.Parse(Html).Tables.First().Rows[1];

        Assert.Equal("us-west-2", row[3].Text);
        Assert.Equal("us-west-2", row[4].Text);
        Assert.Equal("N/A", row[5].Text);
    }

    [Fact]
    public void HtmlRowWithMoreCellsThanHeadersKeepsTheExtraCell()
    {
        var table = PageDocument.Parse(Html).Tables.First();

        Assert.Equal(7, table.Header.Count);
        Assert.Equal(8, table.Rows[0].Count);
        Assert.Equal("extra", table.Rows[0][7].Text);
    }

    [Fact]
    public void HtmlBrSplitsLinesAndSupDoesNotGlueToTheId()
    {
        var row = PageDocument.Parse(Html).Tables.First().Rows[0];

        Assert.Equal(["us-east-1", "us-west-2"], row[3].Lines);
        Assert.Equal(["anthropic.claude-3-haiku-20240307-v1:0"], row[2].Codes);
        Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0 1", row[2].Text);
    }

    [Fact]
    public void HtmlTableWithoutTheadUsesItsThRow()
    {
        var table = PageDocument.Parse(Html).Tables.Last();

        Assert.Equal(["Model", "Legacy date"], table.Header.Select(c => c.Text));
        Assert.Equal("titan-x", Assert.Single(table.Rows)[0].Text);
        Assert.Equal(["Active models", "Legacy"], table.Headings);
    }

    [Fact]
    public void HtmlNestedListItemsAreSeparateTexts()
    {
        var items = PageDocument.Parse(Html).Blocks.OfType<PageText>().Where(t => t.IsListItem).ToList();

        Assert.Equal(["One titan-text-lite item", "Nested item"], items.Select(i => i.Text));
        Assert.Equal(["titan-text-lite"], items[0].Codes);
    }

    [Fact]
    public void HtmlTableInsideMarkdownIsRead()
    {
        var document = PageDocument.Parse("""
            ## Models

            <table>
            <tr><th>Model</th><th>Shutdown</th></tr>

            <tr><td><code>m-1</code></td><td>2025-01-01</td></tr>
            </table>
            """);

        var table = Assert.Single(document.Tables);
        Assert.Equal("Models", table.Section);
        Assert.Equal(["m-1"], Assert.Single(table.Rows)[0].Codes);
    }

    [Fact]
    public void HeadingInsideACalloutDoesNotTitleTheTableAfterIt()
    {
        var document = PageDocument.Parse("""
            <html><body>
            <div class="wrapper"><h2>Active versions</h2></div>
            <div class="docs-note"><div class="docs-note-title"><h6>Note</h6></div><p>Some regions differ.</p></div>
            <table><tr><th>Model ID</th></tr><tr><td>m-1</td></tr></table>
            </body></html>
            """);

        Assert.Equal("Active versions", Assert.Single(document.Tables).Section);
        Assert.Equal(["Active versions", "Note"], document.Blocks.OfType<PageText>().Single().Headings);
    }

    [Fact]
    public void MarkdownWithoutTablesHasNone()
    {
        Assert.Empty(PageDocument.Parse("# Title\n\nJust prose.").Tables);
    }
}
