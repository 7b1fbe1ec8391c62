using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class StatisticsTests
{
    // Two-sided exact p-values: 2 · Σ_{i≤min(b,c)} C(b+c, i) / 2^(b+c), capped at 1.
    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(0, 5, 0.0625)]
    [InlineData(1, 6, 0.125)]
    [InlineData(10, 2, 0.0385742188)]
    [InlineData(3, 3, 1.0)]
    [InlineData(20, 0, 1.9073486328125e-06)]
    public void McNemarExactMatchesTheBinomialTail(int b, int c, double expected) =>
        Assert.Equal(expected, Statistics.McNemarExact(b, c), 9);

    [Fact]
    public void McNemarExactStaysFiniteForThousandsOfDiscordantPairs()
    {
        var p = Statistics.McNemarExact(1000, 900);

        // Normal approximation: z = 100 / sqrt(1900) ≈ 2.29, two-sided ≈ 0.022.
        Assert.InRange(p, 0.02, 0.026);
    }

    [Fact]
    public void PercentileInterpolatesBetweenRanks()
    {
        double[] sorted = [10, 20, 30, 40];

        Assert.Equal(25, Statistics.Percentile(sorted, 0.5));
        Assert.Equal(38.5, Statistics.Percentile(sorted, 0.95), 9);
    }

    [Fact]
    public void DrawsAreUniformAndReproducible()
    {
        var draws = new Statistics.Draws(5);
        var counts = new int[10];
        for (var i = 0; i < 100_000; i++)
            counts[draws.Next(10)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));

        Assert.Equal(Sequence(5), Sequence(5));
        Assert.NotEqual(Sequence(5), Sequence(6));

        static int[] Sequence(int seed)
        {
            var d = new Statistics.Draws(seed);
            return [.. Enumerable.Range(0, 20).Select(_ => d.Next(1000))];
        }
    }

    [Fact]
    public void BootstrapIntervalBracketsAConstantShift()
    {
        var random = new Random(7);
        var pairs = Enumerable.Range(0, 200).Select(_ => random.Next(80, 120)).Select(b => ((double)b, b - 20.0)).ToList();

        var (low, high) = Statistics.BootstrapMedianDifference(pairs, 500, 0.95);

        Assert.Equal(-20, low, 9);
        Assert.Equal(-20, high, 9);
    }

    [Fact]
    public void BootstrapIntervalOfNoisyDataContainsTheTrueDifference()
    {
        var random = new Random(3);
        var pairs = Enumerable.Range(0, 300).Select(_ => (100 + random.NextDouble() * 40, 90 + random.NextDouble() * 40)).ToList();

        var (low, high) = Statistics.BootstrapMedianDifference(pairs, 1000, 0.95);

        Assert.True(low < -10 && -10 < high, $"[{low}, {high}]");
        Assert.True(high < 0, "a 10 ms improvement on 300 cases should be clear");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(200)]
    [InlineData(301)]
    [InlineData(4000)] // 1.2 million draws: the resamples are split across cores
    public void BootstrapEqualsResamplingAndSortingTheSameDraws(int n)
    {
        // Whole milliseconds, so ties are common.
        var random = new Random(n);
        var pairs = Enumerable.Range(0, n).Select(_ => ((double)random.Next(50, 90), (double)random.Next(40, 100))).ToList();

        var actual = Statistics.BootstrapMedianDifference(pairs, 300, 0.9, seed: 99);

        // The definition, done the slow way: the same seeded draws, each side copied out and sorted.
        var draws = new Statistics.Draws(99);
        var differences = new List<double>();
        for (var r = 0; r < 300; r++)
        {
            var sample = Enumerable.Range(0, n).Select(_ => pairs[draws.Next(n)]).ToList();
            differences.Add(Median(sample.Select(p => p.Item2)) - Median(sample.Select(p => p.Item1)));
        }
        var sorted = differences.Order().ToList();
        var tail = (1 - 0.9) / 2;
        Assert.Equal(Statistics.Percentile(sorted, tail), actual.Low);
        Assert.Equal(Statistics.Percentile(sorted, 1 - tail), actual.High);

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
