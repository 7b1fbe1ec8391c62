using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// A date as a page states it. Date is null for "no date" (None) and for impossible dates (Problem set).
public readonly record struct ParsedDate(DateOnly? Date, DatePrecision Precision, bool IsEstimate, string? Problem)
{
    public static ParsedDate None { get; } = new(null, DatePrecision.Day, false, null);

    public bool HasValue => Date is not null;
}

/// The date forms the providers' pages use, read from plain text (never from markup).
public static partial class DateGrammar
{
    private const string MonthName =
        "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

    // Order matters: full dates before month-only forms. The look-arounds keep dates inside model ids
    // ("gpt-4o-2024-05-13") and version strings from being read as dates. The group names say which part is
    // which (y, m or name, d; a form without d is a month); Parts reads them from the matched text.
    [GeneratedRegex(
        @"(?<![\w\-./])(?<y>[0-9]{4})-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})(?![\w\-])" +
        @"|(?<![\w\-./])(?<y>[0-9]{4})/(?<m>[0-9]{1,2})/(?<d>[0-9]{1,2})(?![\w/])" +
        @"|(?<![\w\-./])(?<m>[0-9]{1,2})/(?<d>[0-9]{1,2})/(?<y>[0-9]{4})(?![\w/])" +
        @"|\b(?<name>" + MonthName + @")\.?\s+(?<d>[0-9]{1,2})(?:st|nd|rd|th)?\s*,?\s+(?<y>[0-9]{4})(?!\w)" +
        @"|\b(?<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?<name>" + MonthName + @")\.?,?\s+(?<y>[0-9]{4})(?!\w)" +
        @"|\b(?<name>" + MonthName + @")\.?,?\s+(?<y>[0-9]{4})(?!\w)" +
        @"|(?<![\w\-./])(?<y>[0-9]{4})-(?<m>[0-9]{2})(?![\w\-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex DatePattern();

    [GeneratedRegex(
        @"\b(?:no|not)\s+(?:earlier|sooner)\s+than\b|\bnot\s+before\b|\bno\s+later\s+than\s+the\s+earliest\b|\bearliest\b|\bestimated?\b|\bexpected\b|\bplanned\b|\btentative(?:ly)?\b|\bapprox(?:\.|imately)?\b|~",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EstimateBefore();

    [GeneratedRegex(@"^\W*(?:or\s+later|at\s+(?:the\s+)?earliest|or\s+after|(?:\(|,)?\s*estimated?)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EstimateAfter();

    // Cell texts that mean "no date" (compared after footnote marks and punctuation are trimmed).
    [GeneratedRegex(
        @"^(?:|n/?a|-+|—+|–+|tbd|tba|tbc|none|null|unknown|not\s+applicable|to\s+be\s+(?:determined|announced|confirmed)|not\s+(?:yet\s+)?(?:announced|scheduled|determined|set|planned)|no\s+(?:\w+\s+){0,3}(?:date|dates)(?:\s+(?:\w+\s+){0,2}(?:announced|set|scheduled|planned|available|yet))?|(?:date\s+)?not\s+yet\s+(?:announced|set|determined)|n/?a\s*\(.*\)|pending|coming\s+soon|ongoing|indefinite(?:ly)?|until\s+further\s+notice|not\s+(?:yet\s+)?(?:deprecated|retired))$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static ParsedDate Parse(string? text)
    {
        var normalized = Normalize(text);
        // Every date form has digits: most cells have none, and skip the pattern.
        if (HasDigit(normalized))
        {
            var start = ScanStart(normalized);
            if (EndingDate(normalized, start) is { } ending)
                return ending;
            var matches = DatePattern().EnumerateMatches(normalized.AsSpan(), start);
            if (matches.MoveNext())
                return Read(normalized, matches.Current, 0);
        }
        if (IsPlaceholder(normalized))
            return ParsedDate.None;
        return new ParsedDate(null, DatePrecision.Day, false, $"no date found in '{Shorten(normalized)}'");
    }

    public static IReadOnlyList<ParsedDate> FindAll(string? text)
    {
        var normalized = Normalize(text);
        var found = new List<ParsedDate>();
        if (!HasDigit(normalized))
            return found;
        var previousEnd = 0;
        foreach (var match in Dates(normalized))
        {
            found.Add(Read(normalized, match, previousEnd));
            previousEnd = match.Index + match.Length;
        }
        return found;
    }

    /// The first possible date the text states (impossible ones are passed over), else None.
    public static ParsedDate FindFirst(string? text)
    {
        var normalized = Normalize(text);
        if (!HasDigit(normalized))
            return ParsedDate.None;
        var previousEnd = 0;
        foreach (var match in Dates(normalized))
        {
            var date = Read(normalized, match, previousEnd);
            if (date.HasValue)
                return date;
            previousEnd = match.Index + match.Length;
        }
        return ParsedDate.None;
    }

    /// Whether a cell's text means "no date" (N/A, ---, blank, "No retirement date announced", TBD…).
    public static bool IsPlaceholder(string? text)
    {
        var trimmed = Normalize(text).Trim().TrimEnd(FootnoteMarks).Trim();
        return Placeholder().IsMatch(trimmed);
    }

    private static readonly char[] FootnoteMarks = ['*', '†', '‡', '.', ' '];

    // The pattern's matches in normalized text, scanned from where the first can start: at the first digit, or at
    // a month name written just before it ("May 19", "Sept., 2025"). Every form has a digit, and a name precedes its
    // number by no more than ".", "," and one space (normalized text has no other whitespace), so no match starts
    // earlier; the prose before it ("No earlier than ") is not tried position by position.
    private static Regex.ValueMatchEnumerator Dates(string normalized) =>
        DatePattern().EnumerateMatches(normalized.AsSpan(), ScanStart(normalized));

    private static int ScanStart(string normalized)
    {
        var start = normalized.AsSpan().IndexOfAnyInRange('0', '9');
        if (start < 0)
            start = normalized.Length;
        else if (start > 0 && normalized[start - 1] == ' ')
        {
            var i = start - 1;
            if (i > 0 && normalized[i - 1] == ',')
                i--;
            if (i > 0 && normalized[i - 1] == '.')
                i--;
            var nameEnd = i;
            while (i > 0 && char.IsLetter(normalized[i - 1]))
                i--;
            if (i < nameEnd)
                start = i;
        }
        return start;
    }

    private static ParsedDate Read(string text, ValueMatch match, int contextStart)
    {
        var date = text.AsSpan(match.Index, match.Length);
        var (y, m, d, hasDay) = Parts(date);
        var precision = hasDay ? DatePrecision.Day : DatePrecision.Month;

        var before = text.AsSpan(contextStart, match.Index - contextStart);
        var after = text.AsSpan(match.Index + match.Length);
        var estimate = precision == DatePrecision.Month
            || EstimateBefore().IsMatch(LastClause(before))
            || EstimateAfter().IsMatch(after);
        return Checked(date, y, m, d, precision, estimate);
    }

    private static ParsedDate Checked(ReadOnlySpan<char> date, int y, int m, int d, DatePrecision precision, bool estimate)
    {
        // Years outside this window are typos ("2525"), not lifecycle dates.
        if (y is < 2000 or > 2100 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y is >= 1 and <= 9999 ? y : 2000, m is >= 1 and <= 12 ? m : 1))
            return new ParsedDate(null, precision, estimate, $"impossible date '{date}'");
        return new ParsedDate(new DateOnly(y, m, d), precision, estimate, null);
    }

    // Most date cells end with their date, in one of two forms: "2025-06-30" or "February 5, 2025" (ASCII digits, one
    // space each side of the comma), alone or after prose ("No earlier than April 11, 2026"). When the pattern's scan
    // would start on such a date, after a space or at the start, no earlier form can start there: the pattern would
    // match it there, to the end of the text. Reading the two forms by hand gives the same date without running the
    // pattern; anything else is left to the pattern.
    private static ParsedDate? EndingDate(string text, int start)
    {
        if (start > 0 && text[start - 1] != ' ')
            return null;
        var span = text.AsSpan(start);
        var year = Digits(span, 0, 4, 4);
        if (year > 0 && span.Length > year && span[year] == '-')
        {
            var month = Digits(span, year + 1, 1, 2);
            var dash = year + 1 + month;
            if (month > 0 && span.Length > dash && span[dash] == '-')
            {
                var day = Digits(span, dash + 1, 1, 2);
                if (day > 0 && dash + 1 + day == span.Length)
                    return Ending(text, start, Number(span[..4]), Number(span.Slice(5, month)), Number(span[(dash + 1)..]));
            }
            return null;
        }
        var space = span.IndexOf(' ');
        var monthOfName = space < 3 ? 0 : MonthOf(span[..space]);
        if (monthOfName == 0)
            return null;
        var dayLength = Digits(span, space + 1, 1, 2);
        var comma = space + 1 + dayLength;
        if (dayLength == 0 || span.Length != comma + 6 || span[comma] != ',' || span[comma + 1] != ' ' || Digits(span, comma + 2, 4, 4) == 0)
            return null;
        return Ending(text, start, Number(span[(comma + 2)..]), monthOfName, Number(span.Slice(space + 1, dayLength)));
    }

    // As Read has it for a day date from start to the end: only the text before it can make it an estimate.
    private static ParsedDate Ending(string text, int start, int y, int m, int d) =>
        Checked(text.AsSpan(start), y, m, d, DatePrecision.Day, EstimateBefore().IsMatch(LastClause(text.AsSpan(0, start))));

    // The length of the run of ASCII digits at start, when it is between min and max long; else 0.
    private static int Digits(ReadOnlySpan<char> text, int start, int min, int max)
    {
        var length = 0;
        while (start + length < text.Length && char.IsAsciiDigit(text[start + length]))
            length++;
        return length >= min && length <= max ? length : 0;
    }

    // The month of a name as MonthName spells it, in ASCII letters only (ordinal ignore-case would also take "ſept");
    // else 0.
    private static int MonthOf(ReadOnlySpan<char> word)
    {
        Span<char> lower = stackalloc char["september".Length];
        if (word.Length is < 3 or > 9 || Ascii.ToLower(word, lower, out var written) != OperationStatus.Done)
            return 0;
        return lower[..written] switch
        {
            "jan" or "january" => 1,
            "feb" or "february" => 2,
            "mar" or "march" => 3,
            "apr" or "april" => 4,
            "may" => 5,
            "jun" or "june" => 6,
            "jul" or "july" => 7,
            "aug" or "august" => 8,
            "sep" or "sept" or "september" => 9,
            "oct" or "october" => 10,
            "nov" or "november" => 11,
            "dec" or "december" => 12,
            _ => 0,
        };
    }

    // The year, month and day of a date the pattern matched, read from its text: reading the pattern's groups
    // would allocate a Match and its groups for every date. The forms tell their parts apart by shape: a month
    // name (the first run of three or more letters; "st", "th" are ordinals), a four-digit run first (y-m[-d]),
    // else m/d/y; with a name, two numbers are day and year, one is the year. A form without a day is a month.
    private static (int Year, int Month, int Day, bool HasDay) Parts(ReadOnlySpan<char> date)
    {
        Span<Range> numbers = stackalloc Range[3];
        var count = 0;
        var name = -1;
        for (var i = 0; i < date.Length;)
        {
            var start = i;
            if (char.IsAsciiDigit(date[i]))
            {
                while (i < date.Length && char.IsAsciiDigit(date[i]))
                    i++;
                numbers[count++] = start..i;
            }
            else if (char.IsLetter(date[i]))
            {
                while (i < date.Length && char.IsLetter(date[i]))
                    i++;
                if (name < 0 && i - start >= 3)
                    name = start;
            }
            else
                i++;
        }
        if (name >= 0)
        {
            var month = MonthNumber(date[name..]);
            return count == 2
                ? (Number(date[numbers[1]]), month, Number(date[numbers[0]]), true)
                : (Number(date[numbers[0]]), month, 1, false);
        }
        if (date[numbers[0]].Length == 4)
            return count == 3
                ? (Number(date[numbers[0]]), Number(date[numbers[1]]), Number(date[numbers[2]]), true)
                : (Number(date[numbers[0]]), Number(date[numbers[1]]), 1, false);
        return (Number(date[numbers[2]]), Number(date[numbers[0]]), Number(date[numbers[1]]), true);
    }

    private static int Number(ReadOnlySpan<char> digits)
    {
        // The runs of ASCII digits the callers pass, read as int.Parse reads them, without its culture lookup.
        if (digits.Length is 0 or > 9 || digits.ContainsAnyExceptInRange('0', '9'))
            return int.Parse(digits, CultureInfo.InvariantCulture);
        var value = 0;
        foreach (var digit in digits)
            value = value * 10 + (digit - '0');
        return value;
    }

    private static readonly SearchValues<char> ClauseEnds = SearchValues.Create(".;|\n");

    // Only the qualifier next to a date counts: "retired 2024-01-04; no earlier than 2025-06-01" marks the second.
    private static ReadOnlySpan<char> LastClause(ReadOnlySpan<char> before)
    {
        var cut = before.LastIndexOfAny(ClauseEnds);
        return cut < 0 ? before : before[(cut + 1)..];
    }

    private static int MonthNumber(ReadOnlySpan<char> name)
    {
        Span<char> lower = stackalloc char[3];
        name[..3].ToLowerInvariant(lower);
        return lower switch
        {
            "jan" => 1, "feb" => 2, "mar" => 3, "apr" => 4, "may" => 5, "jun" => 6,
            "jul" => 7, "aug" => 8, "sep" => 9, "oct" => 10, "nov" => 11, _ => 12,
        };
    }

    // Dashes, spaces and invisible characters the pages use, mapped once; whitespace runs collapse to one space.
    internal static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        if (IsNormal(text))
            return text;
        return Normalize(text.AsSpan());
    }

    /// As Normalize(string), from a span: one string for the result, none for the text.
    internal static string Normalize(ReadOnlySpan<char> text)
    {
        // Text normal but for spaces at either end (padded table cells) is the text between them.
        var inner = text.Trim(' ');
        if (inner.IndexOfAny(Unusual) < 0 && !inner.Contains("  ", StringComparison.Ordinal))
            return inner.ToString();
        // The result is never longer than the text: written into a buffer, then one string.
        char[]? rented = null;
        var buffer = text.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        var length = 0;
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (IsInvisible(c))
                continue;
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }
            if (pendingSpace)
            {
                buffer[length++] = ' ';
                pendingSpace = false;
            }
            buffer[length++] = IsDash(c) ? '-' : IsOtherDigit(c) ? (char)('0' + (int)char.GetNumericValue(c)) : c;
        }
        var normalized = buffer[..length].ToString();
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return normalized;
    }

    // Most cells need no change: no allocation for them.
    private static bool IsNormal(string text) =>
        text[0] != ' ' && text[^1] != ' ' && text.AsSpan().IndexOfAny(Unusual) < 0 && !text.Contains("  ", StringComparison.Ordinal);

    // What Normalize changes besides a space run: every other whitespace character, and the mapped ones.
    private static readonly SearchValues<char> Unusual = SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => c != ' ' && (char.IsWhiteSpace(c) || IsMapped(c))).ToArray());

    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF';

    private static bool IsDash(char c) => c is '\u2010' or '\u2011' or '\u2012' or '\u2212';

    // Decimal digits of other scripts ("２０２６", "٢٠٢٦") read as the ASCII digits every date form is written with.
    private static bool IsOtherDigit(char c) => char.IsDigit(c) && !char.IsAsciiDigit(c);

    private static bool IsMapped(char c) => IsInvisible(c) || IsDash(c) || IsOtherDigit(c);

    internal static bool HasDigit(string text) => text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
