namespace ModelMonitor.Pins;

/// "Did you mean": the known ids closest to an unknown one, by edit distance with a bonus for a shared
/// prefix (so `claude-3-5-sonnet` suggests its dated versions before an unrelated id one edit closer).
public static class Suggestions
{
    public static IReadOnlyList<PinSuggestion> Best(string model, string version, IEnumerable<PinSuggestion> candidates, int count = 3)
    {
        var query = Key(model, version);
        return candidates
            .DistinctBy(c => (c.Model, c.Version))
            .Select(c =>
            {
                var key = Key(c.Model, c.Version ?? "");
                var distance = Distance(query, key);
                var prefix = CommonPrefix(query, key);
                return (Candidate: c, Distance: distance, Prefix: prefix, Key: key);
            })
            .Where(s => !(s.Candidate.Model == model && (s.Candidate.Version ?? "") == version))
            .Where(s => Similar(query, s.Key, s.Distance, s.Prefix))
            .OrderBy(s => s.Distance - s.Prefix)
            .ThenBy(s => s.Distance)
            .ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(s => s.Candidate)
            .ToList();
    }

    // Azure-style ids compare as "gpt-4o-2024-11-20", so either spelling finds the other.
    private static string Key(string model, string version) =>
        (version.Length == 0 ? model : model + "-" + version).ToLowerInvariant();

    private static bool Similar(string query, string key, int distance, int prefix)
    {
        var longer = Math.Max(query.Length, key.Length);
        if (longer == 0)
            return false;
        if (1.0 - (double)distance / longer >= 0.5)
            return true;
        // One is the other with more on the end (`claude-3-5-sonnet` → `claude-3-5-sonnet-20241022`).
        return prefix >= 4 && prefix == Math.Min(query.Length, key.Length);
    }

    public static int CommonPrefix(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i])
            i++;
        return i;
    }

    /// Levenshtein distance, two rows.
    public static int Distance(string a, string b)
    {
        if (a.Length == 0)
            return b.Length;
        if (b.Length == 0)
            return a.Length;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
