namespace ModelMonitor.Bench;

/// A small timing harness (see Clock): warm up, size a batch per action so one sample lasts long enough to time well,
/// then take samples of the actions in turn (A B C, A B C, …) so that noise from other processes on a shared
/// machine falls on all of them alike. Light on purpose (no BenchmarkDotNet).
internal static class Harness
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(300);
    // Tier-1 code is compiled on a background thread, which this thread's CPU clock does not see: the warm-up also
    // lasts this long on the wall clock, so an action's own code (not only code earlier pages warmed) is optimised.
    private static readonly TimeSpan WarmUpWall = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan SampleLength = TimeSpan.FromMilliseconds(20);

    /// Median time of one call of each action, and the median over rounds of the first action's time
    /// divided by the second's (a ratio within each round is robust to a round that was slowed as a whole).
    public static (TimeSpan[] Medians, double Ratio) Compare(int samples, params Action[] actions)
    {
        var batches = actions.Select(Calibrate).ToArray();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var times = actions.Select(_ => new TimeSpan[samples]).ToArray();
        var ratios = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            for (var a = 0; a < actions.Length; a++)
            {
                var start = Clock.Now();
                for (var i = 0; i < batches[a]; i++)
                    actions[a]();
                times[a][s] = TimeSpan.FromTicks((Clock.Now() - start) / 100 / batches[a]);
            }
            ratios[s] = actions.Length > 1 ? times[0][s] / times[1][s] : 1;
        }
        return (times.Select(Median).ToArray(), Median(ratios));
    }

    // Warm-up also lets tiered compilation reach its optimised code.
    private static int Calibrate(Action action)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var start = Clock.Now();
        var calls = 0;
        while (Clock.Now() - start < WarmUp.Ticks * 100 || wall.Elapsed < WarmUpWall || calls < 5)
        {
            action();
            calls++;
        }
        var perCall = TimeSpan.FromTicks((Clock.Now() - start) / 100 / calls);
        return (int)Math.Clamp(SampleLength.Ticks / Math.Max(perCall.Ticks, 1), 1, 1_000_000);
    }

    private static T Median<T>(T[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    public static string Format(TimeSpan time) =>
        time.TotalMilliseconds >= 1 ? $"{time.TotalMilliseconds:0.00} ms" : $"{time.TotalMicroseconds:0} µs";
}
