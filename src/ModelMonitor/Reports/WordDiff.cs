namespace ModelMonitor.Reports;

public enum DiffOp
{
    Same,
    Removed,
    Added,
}

public sealed record DiffPiece(DiffOp Op, string Text);

/// A word diff of two outputs (baseline → candidate) for the side-by-side view: the longest common subsequence
/// of words (whitespace kept with the word before it), after trimming the common prefix and suffix. Outputs too
/// long for the quadratic table are shown as removed and added whole rather than slowly.
public static class WordDiff
{
    public const int MaxWords = 1500;

    public static IReadOnlyList<DiffPiece> Diff(string? before, string? after)
    {
        var a = Words(before ?? "");
        var b = Words(after ?? "");
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
            prefix++;
        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
            suffix++;

        var pieces = new List<DiffPiece>();
        Add(pieces, DiffOp.Same, a.Take(prefix));
        var midA = a.Skip(prefix).Take(a.Count - prefix - suffix).ToList();
        var midB = b.Skip(prefix).Take(b.Count - prefix - suffix).ToList();
        if ((long)midA.Count * midB.Count > (long)MaxWords * MaxWords || midA.Count > MaxWords * 4 || midB.Count > MaxWords * 4)
        {
            Add(pieces, DiffOp.Removed, midA);
            Add(pieces, DiffOp.Added, midB);
        }
        else
            Lcs(pieces, midA, midB);
        Add(pieces, DiffOp.Same, a.Skip(a.Count - suffix));
        return pieces;
    }

    private static void Lcs(List<DiffPiece> pieces, List<string> a, List<string> b)
    {
        // lengths[i, j]: LCS of a[i..] and b[j..].
        var lengths = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
            for (var j = b.Count - 1; j >= 0; j--)
                lengths[i, j] = a[i] == b[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y])
            {
                Add(pieces, DiffOp.Same, [a[x++]]);
                y++;
            }
            else if (y < b.Count && (x == a.Count || lengths[x, y + 1] >= lengths[x + 1, y]))
                Add(pieces, DiffOp.Added, [b[y++]]);
            else
                Add(pieces, DiffOp.Removed, [a[x++]]);
        }
    }

    // Adjacent pieces of the same kind are merged, so the markup has one <del>/<ins> per run of words.
    private static void Add(List<DiffPiece> pieces, DiffOp op, IEnumerable<string> words)
    {
        var text = string.Concat(words);
        if (text.Length == 0)
            return;
        if (pieces.Count > 0 && pieces[^1].Op == op)
            pieces[^1] = pieces[^1] with { Text = pieces[^1].Text + text };
        else
            pieces.Add(new DiffPiece(op, text));
    }

    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
                i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
                i++;
            words.Add(text[start..i]);
            start = i;
        }
        return words;
    }
}
