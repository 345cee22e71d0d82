using ActorVip.Ownership;

namespace ActorVip.Node.Actors;

/// <summary>
/// Spreads the repeated and refreshed gratuitous ARPs and neighbour advertisements of every VIP of the node over time, at
/// most <c>announce.max-per-second</c> (issue 15: a node taking over 500 VIPs sent 1,000 frames at once, and again at the
/// repeat and at every refresh, since VIPs acquired together stay in step). Each announcer reserves a slot before a repeat
/// or refresh and waits for it; a VIP's first announcement is never paced, so a takeover is not slowed by it. Shared by the
/// announcers of one node, which may run on several threads: the reservation is under a lock.
/// </summary>
public sealed class AnnouncePacer(int maxPerSecond, IMonotonicClock clock)
{
    private readonly object _gate = new();
    private readonly TimeSpan _spacing = maxPerSecond > 0 ? TimeSpan.FromTicks(TimeSpan.TicksPerSecond / maxPerSecond) : TimeSpan.Zero;
    /// <summary>The first free slot; slots are <see cref="_spacing"/> apart.</summary>
    private TimeSpan _free = TimeSpan.MinValue;

    /// <summary>Unpaced: every reservation is now.</summary>
    public static AnnouncePacer Unpaced { get; } = new(0, MonotonicClock.Instance);

    /// <summary>Takes the next free slot and returns how long from now until it (zero: send now).</summary>
    public TimeSpan Reserve()
    {
        if (_spacing == TimeSpan.Zero) return TimeSpan.Zero;
        lock (_gate)
        {
            var now = clock.Now;
            var slot = _free > now ? _free : now;
            _free = slot + _spacing;
            return slot - now;
        }
    }
}
