namespace ModelMonitor.Sources.Extraction;

/// Reads the one date a table cell states, line by line (a qualifier belongs to its own line).
internal static class CellDates
{
    /// An impossible date is a problem and no date; so is text with digits but no date ("Q3 2026").
    /// Prose without digits ("with date to be announced") simply has no date. With ignoreVersionCodes,
    /// code spans holding letters (`turbo-2024-04-09`) are skipped: their dates are versions, not this cell's date.
    public static ParsedDate Read(PageCell cell, string column, List<string> problems, bool ignoreVersionCodes = false)
    {
        if (string.IsNullOrWhiteSpace(cell.Text))
            return ParsedDate.None;
        var codes = ignoreVersionCodes ? VersionCodes(cell.Codes) : null;
        if (cell.Lines.Count > 1)
        {
            // Indexed: a foreach over an IReadOnlyList would allocate its enumerator.
            for (var i = 0; i < cell.Lines.Count; i++)
            {
                if (TryLine(cell.Lines[i], codes, column, problems, out var parsed))
                    return parsed;
            }
        }
        if (TryLine(cell.Text, codes, column, problems, out var whole))
            return whole;
        var rest = WithoutCodes(cell.Text, codes);
        var collapsed = DateGrammar.Normalize(rest);
        if (DateGrammar.HasDigit(collapsed) && !DateGrammar.IsPlaceholder(rest))
        {
            problems.Add($"no date found in '{(collapsed.Length <= 80 ? collapsed : collapsed[..77] + "...")}' in {column}");
        }
        return ParsedDate.None;
    }

    // A line decides the cell when it states a date, or an impossible one (a problem, and no date).
    private static bool TryLine(string line, List<string>? codes, string column, List<string> problems, out ParsedDate parsed)
    {
        parsed = ParsedDate.None;
        var text = WithoutCodes(line, codes);
        // Every date form the pages use has a four-digit year; without one, skip the (slow) grammar.
        if (!HasYear(text))
            return false;
        var found = DateGrammar.Parse(text);
        if (found.HasValue)
        {
            parsed = found;
            return true;
        }
        foreach (var date in DateGrammar.FindAll(text))
        {
            if (date.Problem is { } impossible)
            {
                problems.Add($"{impossible} in {column}");
                return true;
            }
        }
        return false;
    }

    private static List<string>? VersionCodes(IReadOnlyList<string> codes)
    {
        List<string>? withLetters = null;
        for (var i = 0; i < codes.Count; i++)
        {
            if (ModelIds.HasLetter(codes[i]))
                (withLetters ??= []).Add(codes[i]);
        }
        return withLetters;
    }

    public static bool HasYear(string text)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = char.IsAsciiDigit(c) ? run + 1 : 0;
            if (run == 4)
                return true;
        }
        return false;
    }

    private static string WithoutCodes(string text, List<string>? codes)
    {
        if (codes is null)
            return text;
        foreach (var code in codes)
            text = text.Replace(code, " ", StringComparison.Ordinal);
        return text;
    }
}
