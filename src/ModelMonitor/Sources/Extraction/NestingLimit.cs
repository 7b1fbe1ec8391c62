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
        // Only nodes with children are stacked; a child's depth is checked as it is met.
        var stack = new Stack<(object Node, int Depth)>();
        stack.Push((document, 0));
        while (stack.TryPop(out var entry))
        {
            var depth = entry.Depth + 1;
            switch (entry.Node)
            {
                case ContainerBlock container:
                    foreach (var block in container)
                        Visit(stack, block, depth);
                    break;
                case LeafBlock { Inline: { } inline }:
                    Visit(stack, inline, depth);
                    break;
                case ContainerInline inlines:
                    for (var child = inlines.FirstChild; child is not null; child = child.NextSibling)
                        Visit(stack, child, depth);
                    break;
            }
        }
    }

    private static void Visit(Stack<(object Node, int Depth)> stack, object node, int depth)
    {
        if (depth > MaxDepth)
            throw Refused();
        if (node is ContainerBlock or LeafBlock { Inline: not null } or ContainerInline)
            stack.Push((node, depth));
    }

    private static ExtractionException Refused() =>
        new($"the page nests Markdown elements more than {MaxDepth} levels deep; refused as malformed (no real lifecycle page does)");
}
