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
        var codes = ignoreVersionCodes ? cell.Codes.Where(c => c.Any(char.IsLetter)).ToList() : [];
        var lines = cell.Lines.Count > 1 ? cell.Lines.Append(cell.Text) : [cell.Text];
        foreach (var line in lines)
        {
            var text = WithoutCodes(line, codes);
            // Every date form the pages use has a four-digit year; without one, skip the (slow) grammar.
            if (!HasYear(text))
                continue;
            var parsed = DateGrammar.Parse(text);
            if (parsed.HasValue)
                return parsed;
            if (DateGrammar.FindAll(text).FirstOrDefault(d => d.Problem is not null) is { Problem: { } impossible })
            {
                problems.Add($"{impossible} in {column}");
                return ParsedDate.None;
            }
        }
        var rest = WithoutCodes(cell.Text, codes);
        if (rest.Any(char.IsDigit) && !DateGrammar.IsPlaceholder(rest))
        {
            var collapsed = DateGrammar.Normalize(rest);
            problems.Add($"no date found in '{(collapsed.Length <= 80 ? collapsed : collapsed[..77] + "...")}' in {column}");
        }
        return ParsedDate.None;
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

    private static string WithoutCodes(string text, List<string> codes)
    {
        foreach (var code in codes)
            text = text.Replace(code, " ", StringComparison.Ordinal);
        return text;
    }
}
