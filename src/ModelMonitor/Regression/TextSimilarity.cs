namespace ModelMonitor.Regression;

/// The `similar` assertion's measure, local and deterministic (promptfoo uses an embedding model instead):
/// cosine similarity of the character-trigram frequency vectors of the two texts, after lower-casing,
/// collapsing whitespace runs into one space and padding with a space at each end. 1 means the same
/// trigrams in the same proportions; unrelated sentences score 0–0.3; the same words reordered
/// ("The capital of France is Paris." / "Paris is the capital of France.") about 0.84. It measures
/// surface overlap, not meaning.
public static class TextSimilarity
{
    public static double Cosine(string a, string b)
    {
        var va = Trigrams(a);
        var vb = Trigrams(b);
        if (va.Count == 0 || vb.Count == 0)
            return va.Count == vb.Count ? 1 : 0;
        double dot = 0;
        foreach (var (gram, count) in va)
            if (vb.TryGetValue(gram, out var other))
                dot += (double)count * other;
        return dot / (Norm(va) * Norm(vb));
    }

    private static double Norm(Dictionary<string, int> v)
    {
        double sum = 0;
        foreach (var count in v.Values)
            sum += (double)count * count;
        return Math.Sqrt(sum);
    }

    private static Dictionary<string, int> Trigrams(string text)
    {
        var normal = Normalize(text);
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        if (normal.Length < 3)
            return normal.Trim().Length == 0 ? grams : new Dictionary<string, int>(StringComparer.Ordinal) { [normal] = 1 };
        for (var i = 0; i + 3 <= normal.Length; i++)
        {
            var gram = normal.Substring(i, 3);
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }
        return grams;
    }

    private static string Normalize(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 2);
        sb.Append(' ');
        var space = true;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!space)
                    sb.Append(' ');
                space = true;
            }
            else
            {
                sb.Append(char.ToLowerInvariant(c));
                space = false;
            }
        }
        if (!space)
            sb.Append(' ');
        return sb.ToString();
    }
}
