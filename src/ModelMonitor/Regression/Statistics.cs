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
        var random = new Random(seed);
        var differences = new double[resamples];
        var a = new double[n];
        var b = new double[n];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < n; i++)
            {
                var pick = pairs[random.Next(n)];
                a[i] = pick.Baseline;
                b[i] = pick.Candidate;
            }
            differences[r] = Median(b) - Median(a);
        }
        Array.Sort(differences);
        var tail = (1 - confidence) / 2;
        return (Percentile(differences, tail), Percentile(differences, 1 - tail));
    }

    // Median by selection (expected linear time); reorders the array.
    private static double Median(double[] values)
    {
        var n = values.Length;
        var upper = Select(values, n / 2);
        if (n % 2 == 1)
            return upper;
        // After selecting n/2, everything left of it is ≤ it: the lower middle is their maximum.
        var lower = double.MinValue;
        for (var i = 0; i < n / 2; i++)
            lower = Math.Max(lower, values[i]);
        return (lower + upper) / 2;
    }

    private static double Select(double[] values, int k)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            var pivot = values[(left + right) >>> 1];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j)
                right = j;
            else if (k >= i)
                left = i;
            else
                return values[k];
        }
        return values[k];
    }
}
