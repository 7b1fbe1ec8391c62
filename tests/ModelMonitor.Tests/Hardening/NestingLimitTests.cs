using Markdig.Syntax;
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
}
