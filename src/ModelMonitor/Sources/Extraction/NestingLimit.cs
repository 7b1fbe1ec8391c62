using Markdig.Syntax;

namespace ModelMonitor.Sources.Extraction;

/// The Markdown reader walks blocks and inlines recursively; a hostile page nesting them tens of thousands deep
/// would overflow the stack and take the whole process down (a StackOverflowException cannot be caught). So a page
/// deeper than any real documentation page is refused: its blocks are measured first, without recursion, and the
/// reader's inline walk checks its own depth as it goes (inlines are most of a page's nodes, and the walk visits
/// each of them anyway). Markdig has a depth limit of its own; this one does not rely on it.
/// (HTML needs no such check: AngleSharp itself never builds a tree deeper than 511 elements; deeper ones are
/// placed as siblings at that depth, so the HTML reader's recursion is bounded.)
internal static class NestingLimit
{
    public const int MaxDepth = 512;

    public static void Check(MarkdownDocument document)
    {
        // Only containers are stacked, so that each block is type-tested once; a child's depth is checked as it is met.
        var blocks = new Stack<(ContainerBlock Node, int Depth)>();
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
            }
        }
    }

    /// An inline held by <paramref name="depth"/> inline containers, as the reader walks it.
    public static void CheckInline(int depth)
    {
        if (depth > MaxDepth)
            throw Refused();
    }

    private static ExtractionException Refused() =>
        new($"the page nests Markdown elements more than {MaxDepth} levels deep; refused as malformed (no real lifecycle page does)");
}
