using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ModelMonitor.Tests.Fixtures;

/// A fake clock that tells the test when code starts waiting on it, so a test advances time exactly
/// when something waits (a backoff, a Retry-After pause, a timeout) instead of sleeping or polling.
public sealed class ObservableClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public ObservableClock()
        : base(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// Waits (up to 10 s of real time, as a safety net) for a timer whose due time matches.
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var due = await _timers.Reader.ReadAsync(limit.Token);
            if (match(due))
                return due;
        }
    }
}
