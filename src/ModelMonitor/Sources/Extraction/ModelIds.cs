using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelMonitor.Sources.Extraction;

/// Recognises model ids in table cells and prose: code spans first, else tokens that look like ids.
public static partial class ModelIds
{
    // Words that appear alone in model and replacement cells but never name a model.
    private static readonly HashSet<string> NotIds = new(StringComparer.OrdinalIgnoreCase)
    {
        "n/a", "na", "none", "null", "tbd", "tba", "yes", "no", "see", "and", "or", "model", "models", "version",
        "versions", "deprecated", "retired", "legacy", "active", "preview", "shutdown", "replacement", "latest",
        "unknown", "other", "various", "all", "same", "nothing", "default", "endpoint", "endpoints", "later",
        "newer", "above", "higher", "instead", "successor", "successors", "equivalent", "similar", "any", "free",
    };

    [GeneratedRegex(@"\s*\|\s*|\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*;\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Separators();

    [GeneratedRegex(@"\s*\((?:[^()]*)\)\s*")]
    private static partial Regex Parenthetical();

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N}.\-_:/@]*$")]
    private static partial Regex IdShape();

    // Footnote marks glued to either end: *, †, ‡, ¹²³, [1], (1), [a].
    [GeneratedRegex(@"(?:[*†‡§¶⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\w{1,3}\]|\(\d{1,2}\))+$")]
    private static partial Regex TrailingMarks();

    [GeneratedRegex(@"^(?:[*†‡§¶]+)")]
    private static partial Regex LeadingMarks();

    public static IReadOnlyList<string> FromCell(PageCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (cell.Codes.Count > 0)
        {
            // Indexed: a foreach over an IReadOnlyList would allocate its enumerator.
            var fromCodes = new List<string>();
            for (var i = 0; i < cell.Codes.Count; i++)
                AddTokens(cell.Codes[i], fromCodes, lenient: true);
            return fromCodes;
        }
        var found = new List<string>();
        if (cell.Lines.Count == 0)
            AddTokens(cell.Text, found, lenient: false);
        for (var i = 0; i < cell.Lines.Count; i++)
            AddTokens(cell.Lines[i], found, lenient: false);
        return found;
    }

    public static IReadOnlyList<string> FromText(string text)
    {
        var found = new List<string>();
        AddTokens(text ?? "", found, lenient: false);
        return found;
    }

    private static void AddTokens(string text, List<string> found, bool lenient)
    {
        var normalized = DateGrammar.Normalize(text);
        var before = found.Count;
        // "gpt-4o (recommended)" names gpt-4o: parentheticals are read apart from the text around them.
        if (!normalized.Contains('(', StringComparison.Ordinal))
            AddSplit(normalized, found, lenient);
        else
        {
            AddSplit(Parenthetical().Replace(normalized, " "), found, lenient);
            foreach (Match parenthetical in Parenthetical().Matches(normalized))
            {
                var inner = parenthetical.Value.Trim().TrimStart('(').TrimEnd(')');
                // Ids in parentheses count when the text names none outside them ("Claude Sonnet 4
                // (claude-sonnet-4-20250514)") or when the parenthetical lists aliases.
                if (found.Count == before)
                    AddSplit(inner, found, lenient);
                else if (inner.AsSpan().ContainsAny(AliasWords))
                    AddDistinctive(inner, found);
            }
        }
        // Prose that names an id among its words ("Includes gemini-1.5-flash-8b-001"): only tokens
        // no word could be (lowercase, a digit, a hyphen) are taken from it.
        if (found.Count == before && !lenient)
            AddDistinctive(normalized, found);
    }

    private static void AddDistinctive(string text, List<string> found)
    {
        foreach (var range in text.AsSpan().SplitAny(WordSeparators))
        {
            // Cleaning only trims a word, so one without a digit is passed over without building a string for it.
            var word = text.AsSpan(range);
            if (!word.ContainsAny(Digits))
                continue;
            var token = Clean(word.ToString());
            if (token.AsSpan().ContainsAny(Digits) && token.Contains('-', StringComparison.Ordinal) && !HasUpper(token))
                AddIfId(token, found);
        }
    }

    // Words by which a parenthetical says its ids point to the id before it.
    // Words of a parenthetical that lists aliases ("alias", "points to", "also available as"), searched for at once.
    internal static readonly SearchValues<string> AliasWords = SearchValues.Create(
        ["alias", "point", "including", "includes", "also available as", "same as"], StringComparison.OrdinalIgnoreCase);

    private static readonly char[] WordSeparators = [' ', ',', ';', '|'];

    // char.IsDigit: any Unicode decimal digit, as the pattern's \d.
    private static readonly SearchValues<char> Digits = SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsDigit).ToArray());

    private static void AddSplit(string text, List<string> found, bool lenient)
    {
        // Every separator has a space or one of these; most code spans are a single id. Prose with spaces but no
        // separator (a bullet's sentence) is one part too, without scanning it position by position.
        if (text.AsSpan().IndexOfAny(" |,;") < 0 || !MayHaveSeparator(text))
        {
            if (lenient || !HasSpaceBetweenWords(text))
                AddPart(text, found, lenient);
            return;
        }
        // Only the parts that may be an id become strings, not the array Split would also build.
        foreach (var part in Separators().EnumerateSplits(text))
        {
            if (lenient || !HasSpaceBetweenWords(text.AsSpan(part)))
                AddPart(text[part], found, lenient);
        }
    }

    // Whether a whitespace character stands between two letters or digits ("for use", "Claude Sonnet"). Cleaning
    // trims only a part's ends and never past a letter or digit (a footnote mark such as "[a]" or "(1)" is removed
    // only whole, and opens with its bracket), so such a part keeps its space, and no id has one: prose is passed
    // over without building its parts. Lenient parts (code spans) are split at their spaces instead.
    private static bool HasSpaceBetweenWords(ReadOnlySpan<char> text)
    {
        for (var i = 1; i < text.Length - 1; i++)
        {
            if (char.IsWhiteSpace(text[i]) && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i + 1]))
                return true;
        }
        return false;
    }

    // Separators needs one of "|,;", or "or" or "and" with whitespace on both sides (no characters but their ASCII
    // letters match them ignoring case; \s is char.IsWhiteSpace).
    private static bool MayHaveSeparator(string text)
    {
        if (text.AsSpan().IndexOfAny("|,;") >= 0)
            return true;
        for (var start = 1; start < text.Length; start++)
        {
            if (char.IsWhiteSpace(text[start - 1]) && (IsWordAt(text, start, "or") || IsWordAt(text, start, "and")))
                return true;
        }
        return false;
    }

    private static bool IsWordAt(string text, int start, string word) =>
        start + word.Length < text.Length && char.IsWhiteSpace(text[start + word.Length])
        && Ascii.EqualsIgnoreCase(text.AsSpan(start, word.Length), word);

    private static void AddPart(string part, List<string> found, bool lenient)
    {
        var token = Clean(part);
        if (token.Length == 0)
            return;
        if (lenient && token.Contains(' ', StringComparison.Ordinal))
        {
            // A code span may hold several ids separated by spaces ("a b"); take each that fits.
            foreach (var piece in token.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                AddIfId(Clean(piece), found);
            return;
        }
        AddIfId(token, found);
    }

    private static void AddIfId(string token, List<string> found)
    {
        if (LooksLikeId(token) && !found.Contains(token))
            found.Add(token);
    }

    public static bool LooksLikeId(string token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 120)
            return false;
        if (token.StartsWith('/') || token.Contains("://", StringComparison.Ordinal) || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            return false;
        if (!IdShape().IsMatch(token) || !HasLetter(token) || NotIds.Contains(token))
            return false;
        // A capitalised plain word ("Deprecated", "Sora") is prose or a product name, not an id.
        if (char.IsUpper(token[0]) && AllLower(token.AsSpan(1)))
            return false;
        // Prices and sizes ("0.5m", "128k") are digits with a unit.
        if (char.IsDigit(token[0]) && LetterCount(token) <= 2 && !token.Contains('-', StringComparison.Ordinal))
            return false;
        return true;
    }

    internal static bool HasLetter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
                return true;
        }
        return false;
    }

    private static int LetterCount(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
                count++;
        }
        return count;
    }

    private static bool HasUpper(string text)
    {
        foreach (var c in text)
        {
            if (char.IsUpper(c))
                return true;
        }
        return false;
    }

    private static bool AllLower(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsLower(c))
                return false;
        }
        return true;
    }

    public static string Clean(string token)
    {
        if (string.IsNullOrEmpty(token))
            return "";
        var cleaned = DateGrammar.Normalize(token);
        string previous;
        do
        {
            previous = cleaned;
            cleaned = cleaned.Trim().Trim(Quotes);
            // The patterns can only match at an end that holds a mark (most tokens have none).
            if (cleaned.Length > 0 && TrailingMarkEnds.Contains(cleaned[^1]))
                cleaned = TrailingMarks().Replace(cleaned, "");
            if (cleaned.Length > 0 && LeadingMarkStarts.Contains(cleaned[0]))
                cleaned = LeadingMarks().Replace(cleaned, "");
            cleaned = cleaned.TrimEnd(Punctuation).TrimStart('(');
        }
        while (cleaned != previous);
        return cleaned;
    }

    private static readonly char[] Quotes = ['`', '"', '\'', '“', '”', '‘', '’'];

    private static readonly char[] Punctuation = ['.', ',', ';', ':', '!', '?', ')', '\\'];

    // The last characters TrailingMarks can end on, and the first LeadingMarks can start with.
    private static readonly SearchValues<char> TrailingMarkEnds = SearchValues.Create("*†‡§¶⁰¹²³⁴⁵⁶⁷⁸⁹])");

    private static readonly SearchValues<char> LeadingMarkStarts = SearchValues.Create("*†‡§¶");
}
