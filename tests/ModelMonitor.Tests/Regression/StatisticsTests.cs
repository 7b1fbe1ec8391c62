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
}
