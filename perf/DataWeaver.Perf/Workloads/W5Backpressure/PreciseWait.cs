using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DataWeaver.Perf.Workloads.W5Backpressure;

/// <summary>
/// W5's sink latency, 200 us, to about a microsecond: <c>clock_nanosleep(CLOCK_MONOTONIC)</c> until 30 us before the
/// deadline, then a spin on <see cref="Stopwatch.GetTimestamp"/> until the deadline. The thread's timer slack is set
/// to 1 ns first (<c>prctl(PR_SET_TIMERSLACK)</c>; Linux's default of 50 us would make every sleep 50 us late).
/// <c>Task.Delay</c> and <c>Thread.Sleep</c> round to milliseconds; a pure spin would burn the whole 200 us of a core
/// the source needs. Blocks the calling thread: it models a sink whose flush call blocks.
/// </summary>
internal static partial class PreciseWait
{
    private const int ClockMonotonic = 1;
    private const int PrSetTimerSlack = 29;
    private static readonly long SpinTicks = Stopwatch.Frequency * 30 / 1_000_000;
    private static readonly bool IsLinux = OperatingSystem.IsLinux();

    [ThreadStatic]
    private static bool t_slackSet;

    /// <summary>Waits until <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="deadline"/>.</summary>
    public static void Until(long deadline)
    {
        var sleepTicks = deadline - Stopwatch.GetTimestamp() - SpinTicks;
        if (sleepTicks > 0 && IsLinux)
        {
            if (!t_slackSet)
            {
                _ = SetTimerSlack(PrSetTimerSlack, 1, 0, 0, 0);
                t_slackSet = true;
            }

            var nanoseconds = sleepTicks * (1_000_000_000 / Stopwatch.Frequency);
            var request = new TimeSpec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
            _ = ClockNanosleep(ClockMonotonic, 0, request, IntPtr.Zero);
        }

        while (Stopwatch.GetTimestamp() < deadline)
        {
            Thread.SpinWait(20);
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int SetTimerSlack(int option, nuint value, nuint arg3, nuint arg4, nuint arg5);

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct TimeSpec(long seconds, long nanoseconds)
    {
        public readonly long Seconds = seconds;
        public readonly long Nanoseconds = nanoseconds;
    }
}
