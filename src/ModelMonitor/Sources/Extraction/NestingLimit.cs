using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ModelMonitor.Sources.Extraction;

/// The Markdown reader walks blocks and inlines recursively; a hostile page nesting them tens of thousands deep
/// would overflow the stack and take the whole process down (a StackOverflowException cannot be caught). So the
/// depth is measured first, without recursion, and a page deeper than any real documentation page is refused.
/// (HTML needs no such check: AngleSharp itself never builds a tree deeper than 511 elements; deeper ones are
/// placed as siblings at that depth, so the HTML reader's recursion is bounded.)
internal static class NestingLimit
{
    public const int MaxDepth = 512;

    public static void Check(MarkdownDocument document)
    {
        // Only nodes with children are stacked, blocks and inlines apart, so that each node is type-tested
        // once; a child's depth is checked as it is met.
        var blocks = new Stack<(ContainerBlock Node, int Depth)>();
        var inlines = new Stack<(ContainerInline Node, int Depth)>();
        blocks.Push((document, 0));
        while (blocks.TryPop(out var entry))
        {
            var depth = entry.Depth + 1;
            foreach (var block in entry.Node)
            {
                if (depth > MaxDepth)
                    throw Refused();
                if (block is ContainerBlock container)
                    blocks.Push((container, depth));
                else if (block is LeafBlock { Inline: { } inline })
                {
                    if (depth + 1 > MaxDepth)
                        throw Refused();
                    inlines.Push((inline, depth + 1));
                    CheckInlines(inlines);
                }
            }
        }
    }

    private static void CheckInlines(Stack<(ContainerInline Node, int Depth)> inlines)
    {
        while (inlines.TryPop(out var entry))
        {
            var depth = entry.Depth + 1;
            for (var child = entry.Node.FirstChild; child is not null; child = child.NextSibling)
            {
                if (depth > MaxDepth)
                    throw Refused();
                if (child is ContainerInline container)
                    inlines.Push((container, depth));
            }
        }
    }

    private static ExtractionException Refused() =>
        new($"the page nests Markdown elements more than {MaxDepth} levels deep; refused as malformed (no real lifecycle page does)");
}
