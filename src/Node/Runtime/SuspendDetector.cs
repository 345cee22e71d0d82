namespace ActorVip.Node.Runtime;

/// <summary>
/// Notices that the host was suspended: CLOCK_BOOTTIME counts the time asleep and CLOCK_MONOTONIC does not, so the
/// difference between them grows by exactly the time suspended, and by nothing else. The actor loop hands it both
/// clocks each time it wakes from a wait (two clock reads per wake-up, no timer of its own). The leases already count the
/// suspension (they run on CLOCK_BOOTTIME, <see cref="Ownership.MonotonicClock"/>); this says that it happened and for
/// how long. Pure: given readings in ticks; read and written on the loop thread, <see cref="Count"/> from any.
/// </summary>
/// <remarks>
/// The caller reads CLOCK_BOOTTIME first and CLOCK_MONOTONIC second, so a reading's difference is at most the true one
/// (less by whatever delayed the second read); the largest difference seen is the baseline, so a delayed read never
/// looks like a suspension.
/// </remarks>
public sealed class SuspendDetector
{
    /// <summary>Growth below this is not reported (a suspend and resume takes far longer than this anyway).</summary>
    public static readonly TimeSpan DefaultMinimum = TimeSpan.FromMilliseconds(50);

    private readonly long _minimum;
    private long _baseline = long.MinValue;
    private long _count;

    public SuspendDetector(TimeSpan minimum) => _minimum = minimum.Ticks;

    /// <summary>The suspensions noticed so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Both clocks, read in that order; returns how long the host was suspended since the previous call, when it was at
    /// least the minimum; otherwise null.
    /// </summary>
    public TimeSpan? Observe(long bootTimeTicks, long monotonicTicks)
    {
        var difference = bootTimeTicks - monotonicTicks;
        if (_baseline == long.MinValue || difference <= _baseline)
        {
            if (_baseline == long.MinValue) _baseline = difference;
            return null;
        }
        var grown = difference - _baseline;
        _baseline = difference;
        if (grown < _minimum) return null;
        Interlocked.Increment(ref _count);
        return TimeSpan.FromTicks(grown);
    }
}
