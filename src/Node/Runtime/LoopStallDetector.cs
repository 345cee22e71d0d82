namespace ActorVip.Node.Runtime;

/// <summary>
/// Judges how late the actor loop starts what is due: a timer from its deadline (a housekeeping timer from the end of
/// its slack), posted work from the moment it was posted. Every actor of a node shares that one thread, so a call that
/// blocks there delays the lease renewals, and a stall longer than lease-time - renew-interval drops every VIP. A
/// stall is one episode of lateness above <see cref="Threshold"/>: work that was already due when the loop last
/// noticed it was late belongs to the same stall, so one blocking call counts once however much queued up behind it.
/// Pure: it is given times in ticks of the loop's monotonic clock, and reads no clock of its own; the loop calls it
/// only while it runs anyway, so watching costs no wake-up. Written on the loop thread; <see cref="Snapshot"/> may be
/// read from any thread.
/// </summary>
public sealed class LoopStallDetector
{
    /// <summary>At most one warning line this often; the stalls in between are only counted (and named in the next line).</summary>
    public static readonly TimeSpan DefaultWarningInterval = TimeSpan.FromSeconds(10);

    private readonly long _threshold;
    private readonly long _warningInterval;
    private long _judgeFrom = long.MinValue;
    private long _stalls;
    private long _longestLateness;
    private long _episodeNoticedAt = long.MinValue;
    private long _nextWarningAt = long.MinValue;
    private int _unlogged;
    private long _longestTask;
    private object? _longestTaskWhat;

    public LoopStallDetector(TimeSpan threshold, TimeSpan warningInterval)
    {
        if (threshold <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be positive");
        _threshold = threshold.Ticks;
        _warningInterval = warningInterval.Ticks;
        Threshold = threshold;
    }

    /// <summary>
    /// Half the lease's renew-interval (125 ms by default). The lease survives a stall of lease-time - renew-interval
    /// (450 ms); a healthy loop starts its work within microseconds, and a loaded 2-core machine within tens of
    /// milliseconds (measured: docs/OBSERVABILITY.md). Half a renewal round is far above that noise and leaves most of
    /// the 450 ms: the warning says the convention was broken before the lease paid for it.
    /// </summary>
    public static TimeSpan ThresholdFor(TimeSpan renewInterval) => renewInterval / 2;

    public TimeSpan Threshold { get; }

    /// <summary>
    /// Work that starts before <paramref name="tick"/> is not judged: a node's start-up compiles its code on the loop
    /// (measured on a loaded machine: stalls of 130-850 ms in the first 8 s, none in the 110 s after).
    /// </summary>
    public void JudgeFrom(long tick) => Interlocked.Exchange(ref _judgeFrom, tick);

    /// <summary>The stalls so far and the longest lateness seen (any, not only stalls).</summary>
    public LoopStalls Snapshot => new(Interlocked.Read(ref _stalls), TimeSpan.FromTicks(Interlocked.Read(ref _longestLateness)));

    /// <summary>
    /// The loop starts, at <paramref name="now"/>, something that was due at <paramref name="dueAt"/>. Returns the
    /// warning to log for a stall that begins here, when the last warning was long enough ago; otherwise null.
    /// </summary>
    public LoopStallWarning? Starting(long dueAt, long now)
    {
        if (now < Interlocked.Read(ref _judgeFrom)) return null;
        var late = now - dueAt;
        if (late > Interlocked.Read(ref _longestLateness)) Interlocked.Exchange(ref _longestLateness, late);
        if (late <= _threshold) return null;
        var sameStall = dueAt < _episodeNoticedAt;
        _episodeNoticedAt = now;
        if (sameStall) return null;
        Interlocked.Increment(ref _stalls);
        if (now < _nextWarningAt)
        {
            _unlogged++;
            return null;
        }
        var warning = new LoopStallWarning(TimeSpan.FromTicks(late), Threshold, TimeSpan.FromTicks(_longestTask), _longestTaskWhat, _unlogged);
        _nextWarningAt = now + _warningInterval;
        _unlogged = 0;
        _longestTask = 0;
        _longestTaskWhat = null;
        return warning;
    }

    /// <summary>The loop ran <paramref name="what"/> for <paramref name="ticks"/>: the longest since the last warning is named in the next one.</summary>
    public void Ran(object what, long ticks)
    {
        if (ticks <= _longestTask) return;
        _longestTask = ticks;
        _longestTaskWhat = what;
    }
}

/// <summary>How often the actor loop stalled, and the longest it was ever late (see <see cref="LoopStallDetector"/>).</summary>
public readonly record struct LoopStalls(long Count, TimeSpan LongestLateness);

/// <summary>
/// A stall worth a log line: how late the loop started work, the threshold, the longest task it ran since the previous
/// warning (the likely culprit; none long means the process was stopped or did not get the CPU), and how many stalls
/// since the previous warning were only counted.
/// </summary>
public sealed record LoopStallWarning(TimeSpan Late, TimeSpan Threshold, TimeSpan LongestTask, object? LongestTaskWhat, int Unlogged);
