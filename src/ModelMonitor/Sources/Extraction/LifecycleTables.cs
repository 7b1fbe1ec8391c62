using System.Buffers;
using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// Reading helpers shared by the table-based extractors: columns by meaning, model cells, dates, evidence.
internal static partial class LifecycleTables
{
    private static readonly string[] NotModelColumn =
        ["replacement", "recommended", "upgrade", "successor", "price", "cost", "alias", "migrat", "instead"];

    /// The column naming the model: "Model", "Deprecated model", "API Model Name", "Model ID", "Model / system".
    public static int ModelColumn(PageTable table)
    {
        var column = Column(table, ["model"], NotModelColumn);
        return column >= 0 ? column : Column(table, ["system", "model id", "name"], NotModelColumn);
    }

    /// The first header containing any of the phrases and none of the excluded ones, else -1.
    /// Spans, so that the phrase lists written at each call (`["release", "launch"]`) are not arrays built per table.
    public static int Column(PageTable table, ReadOnlySpan<string> phrases, ReadOnlySpan<string> excluded = default)
    {
        for (var i = 0; i < table.Header.Count; i++)
        {
            var text = table.Header[i].Text;
            if (ContainsAny(text, phrases) && !ContainsAny(text, excluded))
                return i;
        }
        return -1;
    }

    private static bool ContainsAny(string text, ReadOnlySpan<string> phrases)
    {
        foreach (var phrase in phrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public static string HeaderText(PageTable table, int column) =>
        column >= 0 && column < table.Header.Count ? table.Header[column].Text : "";

    public static string Evidence(IReadOnlyList<PageCell> row)
    {
        var text = JoinCells(row);
        return text.Length <= 500 ? text : text[..497] + "...";
    }

    /// The row's cell texts joined by " | ", the evidence the extractors quote.
    public static string JoinCells(IReadOnlyList<PageCell> row)
    {
        var texts = new string[row.Count];
        for (var i = 0; i < texts.Length; i++)
            texts[i] = row[i].Text;
        return string.Join(" | ", texts);
    }

    /// The text with each run of whitespace as one space, and none at either end. Cell and header texts are
    /// collapsed already (the readers normalize them), and are returned as they are without the pattern.
    public static string Collapse(string text) =>
        IsCollapsed(text) ? text : WhitespaceRun().Replace(text, " ").Trim();

    private static bool IsCollapsed(string text) =>
        text.Length == 0
        || (text[0] != ' ' && text[^1] != ' ' && !text.AsSpan().ContainsAny(WhitespaceButSpace) && !text.Contains("  ", StringComparison.Ordinal));

    // What \s matches but a space: the characters char.IsWhiteSpace accepts.
    private static readonly SearchValues<char> WhitespaceButSpace = SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => c != ' ' && char.IsWhiteSpace(c)).ToArray());

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    /// As text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, without the array and its strings.
    public static int WordCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ' ' && (i == 0 || text[i - 1] == ' '))
                count++;
        }
        return count;
    }

    /// Reads a date cell; an impossible or unreadable date becomes a problem naming the column.
    public static ParsedDate ReadDate(PageTable table, IReadOnlyList<PageCell> row, int column, List<string> problems)
    {
        if (column < 0)
            return ParsedDate.None;
        var parsed = DateGrammar.Parse(PageTable.Cell(row, column).Text);
        if (parsed.Problem is not null)
            problems.Add($"{parsed.Problem} in {HeaderText(table, column)}");
        return parsed;
    }

    /// The date of the innermost announcement heading ("2024-06-06: GPT-4-32K ..."), if any.
    public static DateOnly? AnnouncementDate(IReadOnlyList<string> headings)
    {
        for (var i = headings.Count - 1; i >= 0; i--)
        {
            var heading = headings[i];
            var cut = heading.IndexOfAny([':', '—', '–', '|']);
            var lead = cut > 0 ? heading[..cut] : heading;
            if (lead.Length > 25)
                continue;
            var parsed = DateGrammar.Parse(lead);
            if (parsed.Date is { } date && parsed.Precision == DatePrecision.Day)
                return date;
        }
        return null;
    }

    /// A row that only labels the rows below it ("Preview models"): one distinct non-empty text, no date.
    public static string? DividerText(IReadOnlyList<PageCell> row)
    {
        if (row.Count < 2)
            return null;
        string? label = null;
        var nonEmpty = 0;
        // Indexed: a foreach over an IReadOnlyList would allocate its enumerator.
        for (var i = 0; i < row.Count; i++)
        {
            var text = row[i].Text;
            if (text.Length == 0)
                continue;
            nonEmpty++;
            if (label is null)
                label = text;
            else if (!string.Equals(label, text, StringComparison.Ordinal))
                return null; // a second distinct text: a row of data
        }
        // A one-cell label, or a colspan label repeated across every column.
        if (label is null || (nonEmpty != 1 && nonEmpty != row.Count))
            return null;
        return DateGrammar.FindAll(label).Count == 0 ? label : null;
    }

    /// The models a cell names, each with the aliases the cell says point to it
    /// ("gpt-4-0125-preview (including gpt-4-turbo-preview, which points to this snapshot)").
    public static IReadOnlyList<(string Model, IReadOnlyList<string> Aliases)> ModelsWithAliases(PageCell cell)
    {
        var ids = ModelIds.FromCell(cell);
        var text = cell.Text;
        var result = new List<(string Model, IReadOnlyList<string> Aliases)>(ids.Count);
        List<string>? aliases = null; // the last model's
        var searchFrom = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            var at = text.IndexOf(id, searchFrom, StringComparison.Ordinal);
            if (at < 0)
                at = text.IndexOf(id, StringComparison.Ordinal);
            var inParentheses = at >= 0 && ParenthesisDepth(text, at) > 0;
            if (at >= 0)
                searchFrom = at + id.Length;
            if (!inParentheses || aliases is null)
            {
                aliases = [];
                result.Add((id, aliases));
                continue;
            }
            // Only a parenthetical that says so makes aliases; "(replaces x)" does not.
            var note = EnclosingParenthetical(text, at);
            if (note.AsSpan().ContainsAny(ModelIds.AliasWords))
                aliases.Add(id);
        }
        return result;
    }

    private static int ParenthesisDepth(string text, int index)
    {
        var depth = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')' && depth > 0)
                depth--;
        }
        return depth;
    }

    private static string EnclosingParenthetical(string text, int index)
    {
        var open = text.LastIndexOf('(', index);
        var close = text.IndexOf(')', index);
        return open < 0 ? "" : close < 0 ? text[open..] : text[open..(close + 1)];
    }

    /// Replacement ids of a cell, without the model itself.
    public static IReadOnlyList<string> Replacements(PageTable table, IReadOnlyList<PageCell> row, int column, string model)
    {
        if (column < 0)
            return [];
        var replacements = new List<string>();
        var ids = ModelIds.FromCell(PageTable.Cell(row, column));
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] != model)
                replacements.Add(ids[i]);
        }
        return replacements;
    }

    /// A lifecycle state named by a heading, divider or status cell, or null when it names none.
    public static LifecycleStatus? StatusFromText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var lower = text.ToLowerInvariant();
        if (lower.Contains("retired", StringComparison.Ordinal) || lower.Contains("shut down", StringComparison.Ordinal)
            || lower.Contains("discontinued", StringComparison.Ordinal) || lower.Contains("end of life", StringComparison.Ordinal)
            || lower.Trim() == "eol")
            return LifecycleStatus.Retired;
        if (lower.Contains("deprecat", StringComparison.Ordinal))
            return LifecycleStatus.Deprecated;
        if (lower.Contains("legacy", StringComparison.Ordinal))
            return LifecycleStatus.Legacy;
        if (lower.Contains("preview", StringComparison.Ordinal) || lower.Contains("experimental", StringComparison.Ordinal))
            return LifecycleStatus.Preview;
        if (lower.Contains("active", StringComparison.Ordinal) || lower.Contains("stable", StringComparison.Ordinal)
            || lower.Contains("available", StringComparison.Ordinal) || lower.Contains("generally available", StringComparison.Ordinal))
            return LifecycleStatus.Active;
        return null;
    }

    /// Runs an extractor's reading so that odd input ends in an ExtractionException, never another exception.
    public static IReadOnlyList<Observation> Guard(string provider, Func<IReadOnlyList<Observation>> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not ExtractionException)
        {
            throw new ExtractionException($"the {provider} page could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
