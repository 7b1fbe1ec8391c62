using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ModelMonitor.Bench;

/// The time a benchmark is measured with. On Linux, the CPU time of the calling thread
/// (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), so that other processes on a shared machine do not count;
/// elsewhere, wall-clock time from Stopwatch.
internal static partial class Clock
{
    private const int ThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    public static bool IsThreadCpu { get; } = OperatingSystem.IsLinux() && Probe();

    public static string Name => IsThreadCpu ? "thread CPU time" : "wall-clock time";

    /// A reading in nanoseconds; only differences between readings mean anything.
    public static long Now()
    {
        if (IsThreadCpu && clock_gettime(ThreadCpuTime, out var spec) == 0)
            return spec.Seconds * 1_000_000_000 + spec.Nanoseconds;
        return (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    private static bool Probe()
    {
        try
        {
            return clock_gettime(ThreadCpuTime, out _) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
