using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Parsers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ModelMonitor.Sources.Extraction;

/// Reads Markdown and MDX into blocks with Markdig (pipe tables); HTML inside is read with AngleSharp.
internal sealed partial class MarkdownPageReader
{
    private static readonly MarkdownPipeline Pipeline = BuildPipeline();

    private static MarkdownPipeline BuildPipeline()
    {
        var builder = new MarkdownPipelineBuilder().UsePipeTables();
        builder.BlockParsers.Insert(0, new FrontMatterParser());
        return builder.Build();
    }

    private readonly string _source;
    private readonly List<PageBlock> _blocks = [];
    private readonly HeadingStack _headings = new([]);
    private int _skipUntil = -1;
    private FragmentParser? _html;
    // Cells and paragraphs are collected one at a time, into one collector.
    private readonly InlineCollector _cell = new();

    private MarkdownPageReader(string source) => _source = source;

    public static IReadOnlyList<PageBlock> Read(string markdown)
    {
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(markdown, Pipeline);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("too deeply nested", StringComparison.Ordinal))
        {
            // Markdig's own depth limit; the same refusal as ours, in the extractors' one exception type.
            throw new ExtractionException($"the page nests Markdown elements too deeply ({ex.Message}); refused as malformed");
        }
        return Read(document, markdown);
    }

    /// The blocks of a parsed page; source is the text it was parsed from.
    internal static IReadOnlyList<PageBlock> Read(MarkdownDocument document, string source)
    {
        NestingLimit.Check(document);
        var reader = new MarkdownPageReader(source);
        reader.WalkContainer(document, inListItem: false);
        return reader._blocks;
    }

    private void WalkContainer(ContainerBlock container, bool inListItem)
    {
        foreach (var block in container)
        {
            if (block.Span.Start < _skipUntil)
                continue;
            switch (block)
            {
                case HeadingBlock heading:
                    Collect(heading.Inline);
                    var text = PageDocument.CleanHeading(_cell.ToText(' ', out _));
                    if (text.Length > 0)
                        _blocks.Add(_headings.Push(heading.Level, text));
                    break;
                case Table table:
                    _blocks.Add(ReadTable(table, _headings.Current));
                    break;
                case ParagraphBlock paragraph:
                    if (!TryJoinTableFragment(paragraph))
                    {
                        Collect(paragraph.Inline);
                        AddText(inListItem);
                    }
                    break;
                case HtmlBlock html:
                    ReadHtml(html);
                    break;
                case ListItemBlock item:
                    WalkContainer(item, inListItem: true);
                    break;
                case ContainerBlock nested:
                    WalkContainer(nested, inListItem);
                    break;
            }
        }
    }

    // The collected paragraph, its lines joined by line breaks, as a text block unless it is empty.
    private void AddText(bool inListItem)
    {
        var text = _cell.ToText('\n', out var codes);
        if (text.Length > 0)
            _blocks.Add(new PageText(_headings.Current, text, codes, inListItem));
    }

    private void ReadHtml(HtmlBlock html)
    {
        var start = html.Span.Start;
        var end = Math.Min(html.Span.End + 1, _source.Length);
        var raw = _source[start..end];
        // A docs callout holding only text reads as that text, as AngleSharp would read it (the text of an
        // unknown element, one paragraph), without building an HTML document for each callout.
        if (PlainCallout().Match(raw) is { Success: true } callout)
        {
            _cell.Clear();
            _cell.Append(callout.Groups["text"].ValueSpan);
            AddText(inListItem: false);
            return;
        }
        // A blank line inside an HTML table ends Markdig's HTML block; read on to the table's end.
        if (raw.Contains("<table", StringComparison.OrdinalIgnoreCase) && !raw.Contains("</table>", StringComparison.OrdinalIgnoreCase))
        {
            var close = _source.IndexOf("</table>", end, StringComparison.OrdinalIgnoreCase);
            if (close >= 0)
            {
                end = close + "</table>".Length;
                raw = _source[start..end];
                _skipUntil = end;
            }
        }
        _blocks.AddRange(HtmlPageReader.ReadFragment(_html ??= new FragmentParser(), raw, _headings.Current));
    }

    // MDX callout components (Mintlify, Fern): not HTML elements, so the HTML parser treats them as unknown
    // inline elements. Text without markup or character references only; anything else goes to AngleSharp.
    [GeneratedRegex(@"^\s*<(?<name>Note|Warning|Tip|Info|Important|Caution|Callout|Check)>(?<text>[^<>&\0]*)</\k<name>>\s*$")]
    private static partial Regex PlainCallout();

    // A table split by a blank line continues as rows without a header (Azure's include does this):
    // when the fragment has the preceding table's column count, its rows belong to that table.
    private bool TryJoinTableFragment(ParagraphBlock paragraph)
    {
        if (_blocks.Count == 0 || _blocks[^1] is not PageTable previous || previous.Header.Count == 0)
            return false;
        // Only rows continue a table: the paragraph's first line starts with a pipe.
        var first = _source.AsSpan(paragraph.Span.Start).TrimStart();
        if (first.IsEmpty || first[0] != '|')
            return false;
        var raw = _source.AsSpan(paragraph.Span.Start..Math.Min(paragraph.Span.End + 1, _source.Length));
        var columns = previous.Header.Count;
        // Every non-blank line is a row: it starts with a pipe and has the table's column count.
        var lines = 0;
        foreach (var range in raw.Split('\n'))
        {
            var line = raw[range].Trim();
            if (line.IsEmpty)
                continue;
            if (line[0] != '|' || CellCount(line) != columns)
                return false;
            lines++;
        }
        if (lines == 0)
            return false;
        // An escaped pipe is a literal "|" too, so rows with a backslash are always parsed again.
        var rows = (raw.Contains('\\') ? null : ParagraphRows(paragraph, columns)) ?? ParsedRows(raw, columns);
        if (rows is null || rows.Count != lines)
            return false;
        _blocks[^1] = previous with { Rows = [.. previous.Rows, .. rows] };
        return true;
    }

    // The continuation's rows as Markdig reads them under a header of the right width: the lines parsed again as a table.
    private List<IReadOnlyList<PageCell>>? ParsedRows(ReadOnlySpan<char> raw, int columns)
    {
        var synthetic = new StringBuilder();
        synthetic.Append('|').Append(string.Concat(Enumerable.Repeat(" h |", columns))).Append('\n');
        synthetic.Append('|').Append(string.Concat(Enumerable.Repeat(" --- |", columns))).Append('\n');
        foreach (var range in raw.Split('\n'))
        {
            var line = raw[range].Trim();
            if (!line.IsEmpty)
                synthetic.Append(line).Append('\n');
        }
        var fragment = Markdown.Parse(synthetic.ToString(), Pipeline).OfType<Table>().FirstOrDefault();
        return fragment is null ? null : BodyRows(fragment);
    }

    // The same rows without parsing again, read from the paragraph's own inlines: as no header row made it a table,
    // Markdig left each of its pipes a literal "|" between the cells' inlines. Only rows of plain cells are read
    // here, each opened and closed by a pipe and as wide as the table; anything else (a pipe inside emphasis or a
    // link, which a table would have split, or a literal holding a pipe) is null, and parsed again instead.
    private List<IReadOnlyList<PageCell>>? ParagraphRows(ParagraphBlock paragraph, int columns)
    {
        var rows = new List<IReadOnlyList<PageCell>>();
        List<PageCell>? cells = null; // the current row's, once its opening pipe is read
        for (var inline = paragraph.Inline?.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            if (inline is LiteralInline literal && literal.Content.AsSpan().Contains('|'))
            {
                if (literal.Content.AsSpan() is not "|")
                    return null;
                if (cells is null)
                    cells = new List<PageCell>(columns);
                else
                    cells.Add(_cell.ToCell());
                _cell.Clear();
            }
            else if (inline is LineBreakInline)
            {
                if (!EndRow())
                    return null;
            }
            else if (cells is null || (inline is ContainerInline container && HasPipe(container, 1)))
                return null;
            else
                InlineInto(inline, _cell, 1);
        }
        return EndRow() ? rows : null;

        bool EndRow()
        {
            if (cells is null || cells.Count != columns || !_cell.IsEmpty)
                return false;
            rows.Add(cells);
            cells = null;
            return true;
        }
    }

    private static bool HasPipe(ContainerInline container, int depth)
    {
        NestingLimit.CheckInline(depth);
        for (var inline = container.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            if ((inline is LiteralInline literal && literal.Content.AsSpan().Contains('|'))
                || (inline is ContainerInline nested && HasPipe(nested, depth + 1)))
                return true;
        }
        return false;
    }

    private static int CellCount(ReadOnlySpan<char> line)
    {
        var inner = line.Trim();
        if (inner.StartsWith('|'))
            inner = inner[1..];
        if (inner.EndsWith('|') && !inner.EndsWith("\\|", StringComparison.Ordinal))
            inner = inner[..^1];
        var count = 1;
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\')
                i++;
            else if (inner[i] == '|')
                count++;
        }
        return count;
    }

    private PageTable ReadTable(Table table, IReadOnlyList<string> headings)
    {
        IReadOnlyList<PageCell> headerCells = [];
        foreach (var block in table)
        {
            if (block is TableRow { IsHeader: true } header)
            {
                headerCells = RowCells(header);
                break;
            }
        }
        return new PageTable(headings, headerCells, BodyRows(table));
    }

    private List<IReadOnlyList<PageCell>> BodyRows(Table table)
    {
        var rows = new List<IReadOnlyList<PageCell>>(table.Count);
        foreach (var block in table)
        {
            if (block is TableRow { IsHeader: false } row && RowCells(row) is { Length: > 0 } cells)
                rows.Add(cells);
        }
        return rows;
    }

    // An array, not a list around one: a row's blocks are its cells (Markdig's), so it is cut only if one is not.
    private PageCell[] RowCells(TableRow row)
    {
        var cells = new PageCell[row.Count];
        var count = 0;
        foreach (var block in row)
        {
            if (block is TableCell cell)
                cells[count++] = CellOf(cell);
        }
        return count == cells.Length ? cells : cells[..count];
    }

    private PageCell CellOf(TableCell cell)
    {
        _cell.Clear();
        foreach (var block in cell)
        {
            if (block is LeafBlock { Inline: { } inline })
                RootInto(inline, _cell);
        }
        return _cell.ToCell();
    }

    // A heading's or paragraph's inlines, into the collector.
    private void Collect(ContainerInline? inline)
    {
        _cell.Clear();
        if (inline is not null)
            RootInto(inline, _cell);
    }

    // A block's inlines are held by a plain container (Markdig's): its children are read without first testing
    // the container against every inline type InlineInto knows.
    private static void RootInto(ContainerInline root, InlineCollector collector)
    {
        if (root.GetType() != typeof(ContainerInline))
        {
            InlineInto(root, collector, 0);
            return;
        }
        foreach (var child in root)
            InlineInto(child, collector, 1);
    }

    // depth: how many inline containers hold this one (NestingLimit bounds it, so that this recursion is bounded).
    private static void InlineInto(Inline inline, InlineCollector collector, int depth)
    {
        NestingLimit.CheckInline(depth);
        switch (inline)
        {
            case LiteralInline literal:
                collector.Append(literal.Content.AsSpan());
                return;
            case CodeInline code:
                collector.AddCode(code.Content);
                return;
            case HtmlEntityInline entity:
                collector.Append(entity.Transcoded.AsSpan());
                return;
            case LineBreakInline lineBreak:
                if (lineBreak.IsHard)
                    collector.LineBreak();
                else
                    collector.Append(" ");
                return;
            case AutolinkInline autolink:
                collector.Append(autolink.Url);
                collector.AddLink(autolink.Url);
                return;
            case HtmlInline html:
                HtmlTagInto(html.Tag, collector);
                return;
            case LinkInline { IsImage: true }:
                return;
            case LinkInline link:
                collector.AddLink(LinkText(link, depth));
                foreach (var child in link)
                    InlineInto(child, collector, depth + 1);
                return;
            case ContainerInline container:
                foreach (var child in container)
                    InlineInto(child, collector, depth + 1);
                return;
        }
    }

    // A link's text, as it would read as a cell of its own. Most links hold one literal: that is its text.
    private static string LinkText(LinkInline link, int depth)
    {
        if (link.FirstChild is LiteralInline { NextSibling: null } literal)
            return DateGrammar.Normalize(literal.Content.ToString());
        var text = new InlineCollector();
        foreach (var child in link)
            InlineInto(child, text, depth + 1);
        return text.ToCell().Text;
    }

    private static void HtmlTagInto(string tag, InlineCollector collector)
    {
        // Markdig hands over one tag at a time ("<br/>", "</code>"): only its name matters here.
        var inner = tag.AsSpan().TrimStart('<').TrimStart();
        var closing = inner.StartsWith("/", StringComparison.Ordinal);
        inner = inner.TrimStart('/').TrimStart();
        var length = 0;
        while (length < inner.Length && (char.IsLetterOrDigit(inner[length]) || inner[length] == '-'))
            length++;
        var name = inner[..length].ToString().ToLowerInvariant();
        switch (name)
        {
            case "br":
                collector.LineBreak();
                break;
            case "code":
                if (closing)
                    collector.EndCode();
                else
                    collector.BeginCode();
                break;
            case "sup" when !closing:
                collector.Separate();
                break;
            case "p" or "div" or "li":
                collector.LineBreak();
                break;
        }
    }

    /// A front matter block at the top of the page, as <see cref="PageDocument.FrontMatterEnd"/> finds it ("---" to
    /// "---" or "..."), read as one block that the walk passes over: the body is parsed in place, where it is in the
    /// page, rather than copied out of it first.
    private sealed class FrontMatterParser : BlockParser
    {
        public FrontMatterParser() => OpeningCharacters = ['-'];

        public override BlockState TryOpen(BlockProcessor processor)
        {
            if (processor.LineIndex != 0 || processor.IsCodeIndent)
                return BlockState.None;
            var bodyStart = PageDocument.FrontMatterEnd(processor.Line.Text);
            if (bodyStart == 0)
                return BlockState.None;
            processor.NewBlocks.Push(new FrontMatterBlock(this, bodyStart) { Span = new SourceSpan(0, bodyStart - 1) });
            return BlockState.ContinueDiscard;
        }

        // Lines up to the closing "---": the body starts on the line after it, at most a line break ("\r\n") past its end.
        public override BlockState TryContinue(BlockProcessor processor, Block block) =>
            processor.Line.End + 3 >= ((FrontMatterBlock)block).BodyStart ? BlockState.BreakDiscard : BlockState.ContinueDiscard;
    }

    private sealed class FrontMatterBlock(BlockParser parser, int bodyStart) : LeafBlock(parser)
    {
        public int BodyStart { get; } = bodyStart;
    }
}
