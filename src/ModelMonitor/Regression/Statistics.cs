namespace ModelMonitor.Regression;

public static class Statistics
{
    /// McNemar's exact test for paired pass/fail outcomes: under "no difference" the discordant pairs
    /// (baseline-only passes b, candidate-only passes c) split like a fair coin, so the two-sided p-value
    /// is 2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1. It is the right test here because
    /// both models answer the same cases; a two-proportion test would ignore the pairing.
    public static double McNemarExact(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        var n = b + c;
        if (n == 0)
            return 1;
        var k = Math.Min(b, c);
        // Sum the binomial tail in log space so n in the thousands does not underflow.
        var logTerm = -n * Math.Log(2);
        var logSum = logTerm;
        for (var i = 0; i < k; i++)
        {
            logTerm += Math.Log(n - i) - Math.Log(i + 1);
            logSum = LogAdd(logSum, logTerm);
        }
        return Math.Min(1, 2 * Math.Exp(logSum));
    }

    private static double LogAdd(double a, double b) =>
        a > b ? a + double.LogP1(Math.Exp(b - a)) : b + double.LogP1(Math.Exp(a - b));

    /// Percentile with linear interpolation between closest ranks (the common "type 7" definition).
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
            return double.NaN;
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    /// Percentile bootstrap confidence interval for the change in median latency (candidate − baseline)
    /// over paired cases: resample cases with replacement, take each side's median, keep the difference.
    /// Seeded, so the same results give the same interval.
    public static (double Low, double High) BootstrapMedianDifference(IReadOnlyList<(double Baseline, double Candidate)> pairs, int resamples, double confidence, int seed = 12345)
    {
        var n = pairs.Count;
        if (n == 0)
            return (double.NaN, double.NaN);
        // A resample's median depends only on how often each value was drawn, so each side is kept as counts over
        // its sorted values: a draw is two increments, a median one walk up the counts — no copying, no selection.
        var (baseline, baselineRank) = Ranked(pairs, p => p.Baseline);
        var (candidate, candidateRank) = Ranked(pairs, p => p.Candidate);
        var differences = new double[resamples];
        // Resample r takes draws r·n to r·n + n − 1 of the seeded sequence, which can be started anywhere: large runs
        // split the resamples across cores and get exactly the interval of one pass in order.
        var parts = (long)n * resamples >= 1_000_000 ? Math.Clamp(Environment.ProcessorCount, 1, 4) : 1;
        Parallel.For(0, parts, part =>
        {
            var baselineCounts = new int[n];
            var candidateCounts = new int[n];
            var end = (int)((long)(part + 1) * resamples / parts);
            for (var r = (int)((long)part * resamples / parts); r < end; r++)
            {
                Array.Clear(baselineCounts);
                Array.Clear(candidateCounts);
                var random = new Draws(seed, (long)r * n);
                for (var i = 0; i < n; i++)
                {
                    var pick = random.Next(n);
                    baselineCounts[baselineRank[pick]]++;
                    candidateCounts[candidateRank[pick]]++;
                }
                differences[r] = Median(candidate, candidateCounts, n) - Median(baseline, baselineCounts, n);
            }
        });
        Array.Sort(differences);
        var tail = (1 - confidence) / 2;
        return (Percentile(differences, tail), Percentile(differences, 1 - tail));
    }

    /// Seeded uniform draws of an index below n (SplitMix64, reduced by multiply-shift): a resample of 2,000 cases
    /// 2,000 times is 4 million draws, several times cheaper than System.Random's seeded algorithm, and the same on
    /// every platform and .NET version, so a stored interval can be reproduced.
    internal struct Draws(int seed, long position = 0)
    {
        private const ulong Step = 0x9E3779B97F4A7C15UL;

        // SplitMix64 steps a counter, so the sequence can start at any position: draw k of the seed is the same either way.
        private ulong _state = (ulong)seed + unchecked((ulong)position * Step);

        public int Next(int n)
        {
            var z = _state += Step;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(((z >> 32) * (ulong)n) >> 32);
        }
    }

    // One side's values sorted, and each pair's position among them.
    private static (double[] Sorted, int[] Rank) Ranked(IReadOnlyList<(double Baseline, double Candidate)> pairs, Func<(double Baseline, double Candidate), double> side)
    {
        var sorted = new double[pairs.Count];
        var order = new int[pairs.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = side(pairs[i]);
            order[i] = i;
        }
        Array.Sort(sorted, order);
        var rank = new int[sorted.Length];
        for (var position = 0; position < order.Length; position++)
            rank[order[position]] = position;
        return (sorted, rank);
    }

    // The median of a sample of n values given as counts over sorted values: the middle one, or the mean of the two.
    private static double Median(double[] sorted, int[] counts, int n)
    {
        var lowerIndex = (n - 1) / 2;
        var upperIndex = n / 2;
        double lower = double.NaN;
        var seen = 0;
        for (var position = 0; ; position++)
        {
            seen += counts[position];
            if (double.IsNaN(lower) && seen > lowerIndex)
                lower = sorted[position];
            if (seen > upperIndex)
                return (lower + sorted[position]) / 2;
        }
    }
}
