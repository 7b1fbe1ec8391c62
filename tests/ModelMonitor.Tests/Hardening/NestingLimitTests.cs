using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Tests.Hardening;

public sealed class NestingLimitTests
{
    private static MarkdownDocument QuotesNested(int depth)
    {
        var document = new MarkdownDocument();
        ContainerBlock current = document;
        for (var i = 0; i < depth; i++)
        {
            var quote = new QuoteBlock(null);
            current.Add(quote);
            current = quote;
        }
        return document;
    }

    [Fact]
    public void AMarkdownTreeDeeperThanTheLimitIsAnExtractionError()
    {
        var error = Assert.Throws<ExtractionException>(() => NestingLimit.Check(QuotesNested(NestingLimit.MaxDepth + 1)));

        Assert.Equal("the page nests Markdown elements more than 512 levels deep; refused as malformed (no real lifecycle page does)", error.Message);
    }

    [Fact]
    public void AMarkdownTreeAtTheLimitIsRead() => NestingLimit.Check(QuotesNested(NestingLimit.MaxDepth));

    // A paragraph whose text sits inside `depth` nested emphases, as no Markdown text Markdig accepts would build it.
    private static MarkdownDocument EmphasisNested(int depth)
    {
        ContainerInline current = new();
        var paragraph = new ParagraphBlock { Inline = current };
        for (var i = 0; i < depth; i++)
        {
            var emphasis = new EmphasisInline { DelimiterChar = '*', DelimiterCount = 1 };
            current.AppendChild(emphasis);
            current = emphasis;
        }
        current.AppendChild(new LiteralInline("deep"));
        var document = new MarkdownDocument();
        document.Add(paragraph);
        return document;
    }

    [Fact]
    public void InlinesNestedDeeperThanTheLimitAreRefusedByTheReaderInsteadOfOverflowingTheStack()
    {
        // Deep enough that walking it recursively without the limit would exhaust a thread's stack.
        var error = Assert.Throws<ExtractionException>(() => MarkdownPageReader.Read(EmphasisNested(200_000), ""));

        Assert.Contains("more than 512 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NestingLimit.MaxDepth - 1, true)]
    [InlineData(NestingLimit.MaxDepth, false)]
    public void TheInlineLimitCountsTheContainersAboveTheText(int emphases, bool read)
    {
        if (read)
            Assert.Equal("deep", Assert.IsType<PageText>(Assert.Single(MarkdownPageReader.Read(EmphasisNested(emphases), ""))).Text);
        else
            Assert.Throws<ExtractionException>(() => MarkdownPageReader.Read(EmphasisNested(emphases), ""));
    }
}
