using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorVip.Ownership;

/// <summary>A clock that never jumps with wall-clock changes; every lease decision is made on it.</summary>
public interface IMonotonicClock
{
    TimeSpan Now { get; }
}

/// <summary>
/// The lease clock of a real node: CLOCK_BOOTTIME. Like CLOCK_MONOTONIC it never jumps with the wall clock; unlike it,
/// it also counts the time the host was suspended (suspend to RAM or disk). A lease counted on CLOCK_MONOTONIC would
/// survive a suspend of any length: after resuming, the node would still hold a VIP the others moved long ago, until the
/// rest of its lease ran out. On CLOCK_BOOTTIME that lease has ended by the first thing the node does after it resumes.
/// A whole-VM pause stops both clocks alike (docs/DESIGN-NOTES.md, "Suspend and VM pauses").
/// </summary>
public sealed class MonotonicClock : IMonotonicClock
{
    public static readonly MonotonicClock Instance = new();

    public TimeSpan Now => TimeSpan.FromTicks(LinuxClocks.BootTimeTicks());
}

/// <summary>The two Linux clocks the lease and the suspend detector read, in TimeSpan ticks (100 ns).</summary>
public static class LinuxClocks
{
    private const int ClockMonotonic = 1;
    private const int ClockBootTime = 7;

    /// <summary>Whether CLOCK_BOOTTIME can be read (Linux 2.6.39 and later); without it both readings are CLOCK_MONOTONIC's.</summary>
    public static bool HasBootTime { get; } = Probe();

    /// <summary>CLOCK_BOOTTIME: CLOCK_MONOTONIC plus the time the host was suspended.</summary>
    public static long BootTimeTicks() => HasBootTime ? Read(ClockBootTime) : MonotonicTicks();

    /// <summary>CLOCK_MONOTONIC: stops while the host is suspended.</summary>
    public static long MonotonicTicks() => HasBootTime ? Read(ClockMonotonic) : Stopwatch.GetElapsedTime(0).Ticks;

    /// <summary>CLOCK_MONOTONIC in microseconds: sd_notify's MONOTONIC_USEC, and the time a reload is stamped with (one clock for every process).</summary>
    public static long MonotonicMicroseconds() => MonotonicTicks() / TimeSpan.TicksPerMicrosecond;

    private static long Read(int clock)
    {
        // Only fails for an unknown clock id, which the probe ruled out.
        _ = clock_gettime(clock, out var t);
        return t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100;
    }

    private static bool Probe()
    {
        try
        {
            return OperatingSystem.IsLinux() && clock_gettime(ClockBootTime, out _) == 0 && clock_gettime(ClockMonotonic, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clockId, out Timespec time);
}
