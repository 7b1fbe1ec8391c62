using System.Buffers;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace ModelMonitor.Sources.Extraction;

/// Reads HTML (a whole page or a fragment embedded in Markdown) into blocks with AngleSharp.
internal sealed class HtmlPageReader
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "head", "script", "style", "noscript", "template", "svg", "nav", "button", "iframe", "select", "form",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "ol", "p", "pre", "section", "summary", "table", "ul", "html",
    };

    private readonly List<PageBlock> _blocks = [];
    private readonly Dictionary<IElement, bool> _hasBlock = new(ReferenceEqualityComparer.Instance);
    private readonly HeadingStack _headings;
    private readonly InlineCollector _paragraph = new();
    private int _listItemDepth;

    private HtmlPageReader(IReadOnlyList<string> outerHeadings) => _headings = new HeadingStack(outerHeadings);

    public static IReadOnlyList<PageBlock> Read(IDocument document)
    {
        var reader = new HtmlPageReader([]);
        reader.Walk(document.Body ?? (INode)document.DocumentElement);
        reader.FlushParagraph();
        return reader._blocks;
    }

    /// Reads HTML embedded in a Markdown page, as the content of a body element.
    public static IReadOnlyList<PageBlock> ReadFragment(FragmentParser parser, string html, IReadOnlyList<string> outerHeadings)
    {
        var reader = new HtmlPageReader(outerHeadings);
        foreach (var node in parser.Parse(html))
            reader.Walk(node);
        reader.FlushParagraph();
        return reader._blocks;
    }

    private void Walk(INode node)
    {
        switch (node)
        {
            case IText text:
                _paragraph.Append(text.Data);
                return;
            case IElement element:
                WalkElement(element);
                return;
        }
    }

    private void WalkElement(IElement element)
    {
        var name = element.LocalName;
        if (Skipped.Contains(name) || element.HasAttribute("hidden"))
            return;
        if (name.Length == 2 && name[0] is 'h' or 'H' && name[1] is >= '1' and <= '6')
        {
            FlushParagraph();
            var text = PageDocument.CleanHeading(InlineOf(element).Text);
            if (text.Length > 0)
                _blocks.Add(_headings.Push(name[1] - '0', text));
            return;
        }
        if (name == "table")
        {
            FlushParagraph();
            _blocks.Add(ReadTable((IHtmlTableElement)element, _headings.Current));
            return;
        }
        if (name == "br")
        {
            _paragraph.LineBreak();
            return;
        }
        if (!BlockElements.Contains(name) && !HasBlockChild(element))
        {
            // Inline content (or an unknown component holding only inline content) joins the paragraph.
            InlineInto(element, _paragraph);
            return;
        }
        FlushParagraph();
        if (name == "pre")
            return; // code listings are not lifecycle facts
        var isListItem = name == "li";
        if (isListItem)
            _listItemDepth++;
        // A heading inside a callout ("Note") titles only the callout, not the content after it.
        var headings = IsBox(element) ? _headings.Snapshot() : null;
        foreach (var child in element.ChildNodes)
            Walk(child);
        FlushParagraph();
        if (headings is not null)
            _headings.Restore(headings);
        if (isListItem)
            _listItemDepth--;
    }

    private static readonly SearchValues<string> BoxMarkers = SearchValues.Create(
        ["note", "alert", "callout", "admonition", "warning", "caution", "important", "tip", "aside"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> TitleMarkers = SearchValues.Create(["title", "head"], StringComparison.OrdinalIgnoreCase);

    private static bool IsBox(IElement element)
    {
        if (element.LocalName is "aside" or "details" or "dialog" or "figure" or "blockquote")
            return true;
        var marks = $"{element.GetAttribute("class")} {element.GetAttribute("role")}";
        // The callout's title wrapper is part of the callout, not a box of its own.
        return marks.AsSpan().ContainsAny(BoxMarkers) && !marks.AsSpan().ContainsAny(TitleMarkers);
    }

    // Memoized: deep inline nesting would otherwise rescan the same subtrees at every level.
    private bool HasBlockChild(IElement element)
    {
        if (_hasBlock.TryGetValue(element, out var known))
            return known;
        var result = element.Children.Any(c => BlockElements.Contains(c.LocalName) || HasBlockChild(c));
        _hasBlock[element] = result;
        return result;
    }

    private void FlushParagraph()
    {
        if (!_paragraph.IsEmpty)
        {
            var text = _paragraph.ToText('\n', out var codes);
            if (text.Length > 0)
                _blocks.Add(new PageText(_headings.Current, text, codes, _listItemDepth > 0));
        }
        _paragraph.Clear();
    }

    internal static PageCell InlineOf(INode node)
    {
        var collector = new InlineCollector();
        foreach (var child in node.ChildNodes)
            InlineInto(child, collector);
        return collector.ToCell();
    }

    private static void InlineInto(INode node, InlineCollector collector)
    {
        if (node is IText text)
        {
            collector.Append(text.Data);
            return;
        }
        if (node is not IElement element || Skipped.Contains(element.LocalName) || element.HasAttribute("hidden"))
            return;
        switch (element.LocalName)
        {
            case "br":
                collector.LineBreak();
                return;
            case "code":
                collector.BeginCode();
                foreach (var child in element.ChildNodes)
                    InlineInto(child, collector);
                collector.EndCode();
                return;
            case "sup":
                collector.Separate();
                break;
            case "a":
                collector.AddLink(element.TextContent);
                break;
        }
        var isBlock = BlockElements.Contains(element.LocalName);
        if (isBlock)
            collector.LineBreak();
        foreach (var child in element.ChildNodes)
            InlineInto(child, collector);
        if (isBlock)
            collector.LineBreak();
    }

    internal static PageTable ReadTable(IHtmlTableElement table, IReadOnlyList<string> headings)
    {
        var rows = table.Rows.ToList();
        var headerCount = 0;
        if (table.Head is { } head && head.Rows.Length > 0)
            headerCount = rows.TakeWhile(r => r.ParentElement == head).Count();
        else if (rows.Count > 0 && rows[0].Cells.Length > 0 && rows[0].Cells.All(c => c.LocalName == "th"))
            headerCount = 1;

        var grid = Expand(rows);
        if (grid.Count == 0)
            return new PageTable(headings, [], []);
        // The last header row carries the column names when a header has several rows.
        var header = headerCount > 0 ? grid[headerCount - 1] : grid[0];
        var body = grid.Skip(Math.Max(headerCount, 1)).Where(r => r.Count > 0).ToList();
        return new PageTable(headings, header, body);
    }

    // Lays the rows out on a grid: colspan cells repeat across their columns, rowspan cells repeat down.
    private static List<IReadOnlyList<PageCell>> Expand(List<IHtmlTableRowElement> rows)
    {
        var pending = new Dictionary<int, (PageCell Cell, int Remaining)>();
        var grid = new List<IReadOnlyList<PageCell>>();
        foreach (var row in rows)
        {
            var cells = new List<PageCell>();
            var column = 0;
            void FillPending()
            {
                while (pending.TryGetValue(column, out var carried))
                {
                    cells.Add(carried.Cell);
                    if (carried.Remaining <= 1)
                        pending.Remove(column);
                    else
                        pending[column] = (carried.Cell, carried.Remaining - 1);
                    column++;
                }
            }
            foreach (var cellElement in row.Cells)
            {
                FillPending();
                var cell = InlineOf(cellElement);
                var colSpan = Math.Clamp((int)cellElement.ColumnSpan, 1, 50);
                var rowSpan = Math.Clamp((int)cellElement.RowSpan, 1, 500);
                for (var i = 0; i < colSpan; i++)
                {
                    cells.Add(cell);
                    if (rowSpan > 1)
                        pending[column] = (cell, rowSpan - 1);
                    column++;
                }
            }
            FillPending();
            // Rowspans that reach past this row's last cell still fill their columns.
            foreach (var key in pending.Keys.Where(k => k >= column).Order().ToList())
            {
                while (cells.Count < key)
                    cells.Add(PageCell.Empty);
                column = key;
                FillPending();
            }
            grid.Add(cells);
        }
        return grid;
    }
}

/// Parses the HTML blocks of one Markdown page: the parser and the body element that is their context are
/// made once per page, not once per block (each costs about as much as parsing a small block).
internal sealed class FragmentParser
{
    private readonly HtmlParser _parser = new();
    private IElement? _body;

    public INodeList Parse(string html)
    {
        _body ??= _parser.ParseDocument("<!DOCTYPE html><html><body></body></html>").Body!;
        return _parser.ParseFragment(html, _body);
    }
}
