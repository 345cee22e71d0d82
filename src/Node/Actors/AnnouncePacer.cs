using ActorVip.Ownership;

namespace ActorVip.Node.Actors;

/// <summary>
/// Spreads the repeated and refreshed gratuitous ARPs and neighbour advertisements of every VIP of the node over time, at
/// most <c>announce.max-per-second</c> (issue 15: a node taking over 500 VIPs sent 1,000 frames at once, and again at the
/// repeat and at every refresh, since VIPs acquired together stay in step). Each announcer reserves a slot before a repeat
/// or refresh and waits for it; a VIP's first announcement is never paced, so a takeover is not slowed by it. Shared by the
/// announcers of one node, which may run on several threads: the reservation is under a lock.
/// Slots come in groups, <see cref="Interval"/> apart, of <see cref="GroupSize"/> announcements that share one time: at
/// 200 a second, 10 every 50 ms. One slot every 5 ms woke the actor loop 500 times per refresh of 500 VIPs; a holder of
/// 500 idled at 3.2 % of a core, 2.1 % with the refreshes out of the window (docs/BENCHMARKS.md, 1,000 VIPs).
/// </summary>
public sealed class AnnouncePacer
{
    /// <summary>The shortest time between two groups; a pace under 1 / this a second gives groups of one.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly IMonotonicClock _clock;
    /// <summary>The time of the latest group; <see cref="TimeSpan.MinValue"/> before the first.</summary>
    private TimeSpan _group = TimeSpan.MinValue;
    private int _taken;

    public AnnouncePacer(int maxPerSecond, IMonotonicClock clock)
    {
        _clock = clock;
        if (maxPerSecond <= 0) return;
        var spacing = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / maxPerSecond);
        Interval = spacing > MinInterval ? spacing : MinInterval;
        // Rounded down: the pace is a ceiling (at 30 a second: one every 50 ms, 20 a second).
        GroupSize = Math.Max(1, (int)(maxPerSecond * Interval.Ticks / TimeSpan.TicksPerSecond));
    }

    /// <summary>Unpaced: every reservation is now.</summary>
    public static AnnouncePacer Unpaced { get; } = new(0, MonotonicClock.Instance);

    /// <summary>Time between two groups of slots; zero when unpaced.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Announcements per group; zero when unpaced.</summary>
    public int GroupSize { get; }

    /// <summary>Takes the next free slot and returns how long from now until it (zero: send now).</summary>
    public TimeSpan Reserve()
    {
        if (GroupSize == 0) return TimeSpan.Zero;
        lock (_gate)
        {
            var now = _clock.Now;
            if (_group == TimeSpan.MinValue || now >= _group + Interval)
            {
                // The last group's interval is over: a new group, now.
                _group = now;
                _taken = 1;
                return TimeSpan.Zero;
            }
            if (_taken < GroupSize)
            {
                _taken++;
                return _group > now ? _group - now : TimeSpan.Zero;
            }
            _group += Interval;
            _taken = 1;
            return _group - now;
        }
    }
}
