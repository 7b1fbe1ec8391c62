using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using System.Text.RegularExpressions;

namespace ModelMonitor.Sources.Extraction;

/// A page read into headings, text and tables, whatever its format (HTML, Markdown, MDX).
public sealed partial class PageDocument
{
    private PageDocument(PageFormat format, IReadOnlyList<PageBlock> blocks, IDocument? html = null)
    {
        Format = format;
        Blocks = blocks;
        Html = html;
    }

    public PageFormat Format { get; }

    public IReadOnlyList<PageBlock> Blocks { get; }

    /// The parsed page when it is HTML, for what blocks do not keep (link targets), without parsing it again.
    internal IDocument? Html { get; }

    public IEnumerable<PageTable> Tables => Blocks.OfType<PageTable>();

    public static PageDocument Parse(string content)
    {
        var text = (content ?? "").TrimStart('\uFEFF');
        var bodyStart = FrontMatterEnd(text);
        // Markdown is parsed whole, its front matter passed over in place (the reader's pipeline knows it): the body
        // is not copied out first.
        if (DetectFormat(text.AsSpan(bodyStart)) != PageFormat.Html)
            return new PageDocument(PageFormat.Markdown, MarkdownPageReader.Read(text));
        var html = new HtmlParser().ParseDocument(text[bodyStart..]);
        return new PageDocument(PageFormat.Html, HtmlPageReader.Read(html), html);
    }

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+\S|^\s*\|?\s*:?-{3,}:?\s*\|", RegexOptions.Multiline)]
    private static partial Regex MarkdownSignal();

    [GeneratedRegex(@"^\s*(?:<!doctype\s+html|<html[\s>]|<\?xml)", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlDocumentStart();

    internal static PageFormat DetectFormat(ReadOnlySpan<char> body)
    {
        if (HtmlDocumentStart().IsMatch(body))
            return PageFormat.Html;
        // MDX and Markdown with embedded HTML still have Markdown headings or pipe-table delimiters (a heading needs a
        // '#' followed by whitespace, a delimiter a "---": a page with neither is not scanned line by line).
        if ((HasHashBeforeWhitespace(body) || body.Contains("---", StringComparison.Ordinal)) && MarkdownSignal().IsMatch(body))
            return PageFormat.Markdown;
        return body.TrimStart().StartsWith('<') ? PageFormat.Html : PageFormat.Markdown;
    }

    // Whether a '#' is followed by a whitespace character, as the last '#' of a heading's marker is; a page's other
    // '#'s (link fragments, "#1") are passed over.
    private static bool HasHashBeforeWhitespace(ReadOnlySpan<char> body)
    {
        for (var at = body.IndexOf('#'); at >= 0 && at + 1 < body.Length; at = NextHash(body, at))
        {
            if (char.IsWhiteSpace(body[at + 1]))
                return true;
        }
        return false;

        static int NextHash(ReadOnlySpan<char> body, int at)
        {
            var next = body[(at + 1)..].IndexOf('#');
            return next < 0 ? -1 : at + 1 + next;
        }
    }

    internal static string StripFrontMatter(string content)
    {
        var text = content.TrimStart('\uFEFF');
        var bodyStart = FrontMatterEnd(text);
        return bodyStart == 0 ? text : text[bodyStart..];
    }

    /// Where the body starts after a front matter block ("---" to "---" or "..."), 0 when the text has none.
    internal static int FrontMatterEnd(string text)
    {
        if (!text.StartsWith("---", StringComparison.Ordinal))
            return 0;
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLineEnd < 0 || !text.AsSpan(0, firstLineEnd).Trim().SequenceEqual("---"))
            return 0;
        var position = firstLineEnd + 1;
        while (position < text.Length)
        {
            var lineEnd = text.IndexOf('\n', position);
            var line = (lineEnd < 0 ? text.AsSpan(position) : text.AsSpan(position, lineEnd - position)).Trim();
            if (line is "---" or "...")
                return lineEnd < 0 ? text.Length : lineEnd + 1;
            if (lineEnd < 0)
                break;
            position = lineEnd + 1;
        }
        return 0; // an unterminated block is not front matter
    }

    [GeneratedRegex(@"\s*\{#[^}]*\}\s*$")]
    private static partial Regex HeadingAnchor();

    /// Heading text as a section name: plain, without zero-width characters, anchors or trailing link marks.
    internal static string CleanHeading(string text)
    {
        var cleaned = DateGrammar.Normalize(text);
        if (cleaned.Contains("{#", StringComparison.Ordinal))
            cleaned = HeadingAnchor().Replace(cleaned, "");
        return cleaned.TrimEnd(HeadingMarks).Trim();
    }

    private static readonly char[] HeadingMarks = ['#', '¶', '§', ' ', '\u00B6'];
}

/// Collects the inline content of one cell or paragraph: text, line breaks, code spans, link texts.
/// Called for every table cell of every page, so it allocates only what a cell has (most have one line,
/// no code span and no link).
internal sealed class InlineCollector
{
    // The current line's characters: one buffer, grown as needed and kept for the next cell.
    private char[] _line = new char[32];
    private int _length;
    private List<string>? _lines;
    // The first code span's text alone (most cells have one), the list once there is a second.
    private string? _firstCode;
    private List<string>? _codes;
    private List<string>? _links;
    private StringBuilder? _code;
    private int _codeDepth;

    private ReadOnlySpan<char> Line => _line.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _lines = null;
        _firstCode = null;
        _codes = null;
        _links = null;
        _code = null;
        _codeDepth = 0;
    }

    public bool IsEmpty => _firstCode is null && _codes is null && Line.IsWhiteSpace() && (_lines is null || _lines.All(string.IsNullOrWhiteSpace));

    public void Append(string text) => Append(text.AsSpan());

    public void Append(ReadOnlySpan<char> text)
    {
        AppendLine(text);
        _code?.Append(text);
    }

    private void AppendLine(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _line.Length)
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _length + text.Length));
        text.CopyTo(_line.AsSpan(_length));
        _length += text.Length;
    }

    public void LineBreak()
    {
        (_lines ??= []).Add(Line.ToString());
        _length = 0;
    }

    // Footnote markers in <sup> would otherwise glue onto an id ("gpt-4" + "1").
    public void Separate() => Append(" ");

    public void BeginCode()
    {
        if (_codeDepth++ == 0)
            _code = new StringBuilder();
    }

    public void EndCode()
    {
        if (_codeDepth == 0)
            return;
        if (--_codeDepth == 0 && _code is not null)
        {
            AddCodeText(_code.ToString());
            _code = null;
        }
    }

    public void AddCode(string code)
    {
        AddCodeText(code);
        AppendLine(code);
    }

    public void AddLink(string text) => AddNormalized(ref _links, text);

    public PageCell ToCell()
    {
        EndOpenCode();
        var last = DateGrammar.Normalize(Line);
        IReadOnlyList<string> lines;
        string text;
        if (_lines is null)
        {
            lines = last.Length > 0 ? [last] : [];
            text = last;
        }
        else
        {
            var all = NormalizedLines(last);
            lines = all;
            text = string.Join(' ', all);
        }
        return new PageCell(text, lines, TakeCodes(), (IReadOnlyList<string>?)_links ?? []);
    }

    /// The text of ToCell's lines joined by the separator, and its code spans: what a paragraph or a heading keeps,
    /// without building a cell (or a list of its one line) for it.
    public string ToText(char separator, out IReadOnlyList<string> codes)
    {
        EndOpenCode();
        var last = DateGrammar.Normalize(Line);
        codes = TakeCodes();
        return _lines is null ? last : string.Join(separator, NormalizedLines(last));
    }

    private void EndOpenCode()
    {
        while (_codeDepth > 0)
            EndCode();
    }

    // The lines broken so far and the last one (normalized already), each normalized, empty ones left out.
    private List<string> NormalizedLines(string last)
    {
        var all = new List<string>(_lines!.Count + 1);
        foreach (var line in _lines)
        {
            var normalized = DateGrammar.Normalize(line);
            if (normalized.Length > 0)
                all.Add(normalized);
        }
        if (last.Length > 0)
            all.Add(last);
        return all;
    }

    // The lists go as they are: Clear starts new ones.
    private IReadOnlyList<string> TakeCodes()
    {
        if (_codes is not null)
            return _codes;
        return _firstCode is not null ? [_firstCode] : [];
    }

    private void AddCodeText(string code)
    {
        var normalized = DateGrammar.Normalize(code);
        if (normalized.Length == 0)
            return;
        if (_codes is not null)
            _codes.Add(normalized);
        else if (_firstCode is null)
            _firstCode = normalized;
        else
            _codes = [_firstCode, normalized];
    }

    private static void AddNormalized(ref List<string>? list, string text)
    {
        var normalized = DateGrammar.Normalize(text);
        if (normalized.Length > 0)
            (list ??= []).Add(normalized);
    }
}

/// Tracks the enclosing headings while a reader walks a page.
internal sealed class HeadingStack
{
    private readonly List<(int Level, string Text)> _stack = [];

    public HeadingStack(IReadOnlyList<string> outer)
    {
        // Headings inherited from an enclosing document sit above any heading level found inside.
        foreach (var heading in outer)
            _stack.Add((0, heading));
    }

    private string[]? _current;

    // Every block records its headings: the blocks between two headings share one array.
    public IReadOnlyList<string> Current => _current ??= Texts();

    private string[] Texts()
    {
        var texts = new string[_stack.Count];
        for (var i = 0; i < texts.Length; i++)
            texts[i] = _stack[i].Text;
        return texts;
    }

    public IReadOnlyList<(int Level, string Text)> Snapshot() => _stack.ToArray();

    public void Restore(IReadOnlyList<(int Level, string Text)> snapshot)
    {
        _stack.Clear();
        _stack.AddRange(snapshot);
        _current = null;
    }

    public PageHeading Push(int level, string text)
    {
        while (_stack.Count > 0 && _stack[^1].Level >= level && _stack[^1].Level > 0)
        {
            _stack.RemoveAt(_stack.Count - 1);
            _current = null;
        }
        var heading = new PageHeading(Current, level, text);
        _stack.Add((level, text));
        _current = null;
        return heading;
    }
}
