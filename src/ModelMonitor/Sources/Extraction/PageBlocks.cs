namespace ModelMonitor.Sources.Extraction;

public enum PageFormat
{
    Markdown,
    Html,
}

/// A block of a page with the texts of its enclosing headings, outermost first.
public abstract record PageBlock(IReadOnlyList<string> Headings);

public sealed record PageHeading(IReadOnlyList<string> Headings, int Level, string Text) : PageBlock(Headings);

public sealed record PageText(IReadOnlyList<string> Headings, string Text, IReadOnlyList<string> Codes, bool IsListItem)
    : PageBlock(Headings);

public sealed record PageTable(
    IReadOnlyList<string> Headings,
    IReadOnlyList<PageCell> Header,
    IReadOnlyList<IReadOnlyList<PageCell>> Rows) : PageBlock(Headings)
{
    /// Index of the first header cell whose text contains any of the phrases (case-insensitive), else -1.
    public int Column(params ReadOnlySpan<string> phrases)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            var text = Header[i].Text;
            foreach (var phrase in phrases)
            {
                if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                    return i;
            }
        }
        return -1;
    }

    public string? Section => Headings.Count > 0 ? Headings[^1] : null;

    /// The cell at a column of a row, or Empty when the row is short or the column is -1.
    public static PageCell Cell(IReadOnlyList<PageCell> row, int column) =>
        row is not null && column >= 0 && column < row.Count ? row[column] : PageCell.Empty;
}

/// One table cell. Text is plain text with whitespace collapsed; Lines split where the cell had a line break.
public sealed record PageCell(string Text, IReadOnlyList<string> Lines, IReadOnlyList<string> Codes, IReadOnlyList<string> Links)
{
    public static PageCell Empty { get; } = new("", [], [], []);
}
