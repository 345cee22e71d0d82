using ActorVip.Ownership;

namespace ActorVip.Node.Actors;

/// <summary>
/// The end of this node's lease on one VIP as an absolute instant on the monotonic clock, shared by the NodeAgent (the only
/// writer: every renewal that extends the lease, and its end) and every actor that touches the kernel for the VIP (the
/// VipActor, its announcer). Each reads it immediately before a fence open, an address add or an announce, so work that
/// waited in a mailbox or a timer through a stall (SIGSTOP, a GC pause, a descheduled thread) is dropped once the lease
/// has ended, instead of acting on a duration computed before the stall (issue 13 §2.2).
/// </summary>
public sealed class HolderLease
{
    /// <summary>
    /// A kernel action is taken only if the lease still runs this much later. It covers the time between the check and the
    /// kernel acting on it (one sendmsg, normally microseconds; a descheduled thread, rarely milliseconds) and the
    /// millisecond rounding of the fence timeout. It is below the smallest lease margin (20 ms, LeaseSettings.Validate),
    /// so it costs nothing a renewal does not give back, and above the usual scheduling jitter.
    /// </summary>
    public static readonly TimeSpan Guard = TimeSpan.FromMilliseconds(15);

    /// <summary>Long before any clock reading, and far enough from TimeSpan.MinValue that <see cref="RemainingAt"/> cannot overflow.</summary>
    private static readonly TimeSpan Ended = TimeSpan.FromDays(-365);

    private long _validUntilTicks;
    private volatile bool _inKernel;
    private volatile bool _silenced;
    private int _acting;

    public HolderLease(IMonotonicClock clock, TimeSpan validUntil)
    {
        Clock = clock;
        _validUntilTicks = validUntil.Ticks;
    }

    public IMonotonicClock Clock { get; }

    /// <summary>When the lease ends, on <see cref="Clock"/>.</summary>
    public TimeSpan ValidUntil => TimeSpan.FromTicks(Volatile.Read(ref _validUntilTicks));

    /// <summary>
    /// Set by the holder once it opened the fence and added the address: from then on the agent refreshes both with every other
    /// VIP it holds (<see cref="KernelRefresh"/>), and until then it nudges the holder to try again with each renewal.
    /// </summary>
    public bool InKernel => _inKernel;

    /// <summary>The holder's (or the agent's, for VIPs granted together) word: the fence is open and the address is on its interface.</summary>
    public void MarkInKernel() => _inKernel = true;

    /// <summary>
    /// Set by the agent once it closed the fence and removed the address of a VIP given up (with every other VIP given up in
    /// the same message, <see cref="KernelRefresh.Silence"/>): the stopping holder then only reports it silenced.
    /// </summary>
    public bool Silenced => _silenced;

    public void MarkSilenced() => _silenced = true;

    /// <summary>The agent's word after a renewal: the lease now runs until <paramref name="validUntil"/>.</summary>
    public void Extend(TimeSpan validUntil) => Volatile.Write(ref _validUntilTicks, validUntil.Ticks);

    /// <summary>
    /// The lease is over (given up, lost or the holder is stopping): nothing may act for it any more. A full fence (not only
    /// a volatile write): the agent reads <see cref="Acting"/> after it, and an action begun after that read must see the end.
    /// </summary>
    public void End() => Interlocked.Exchange(ref _validUntilTicks, Ended.Ticks);

    /// <summary>
    /// Marks a kernel action of the holder or its announcer as under way, from before its lease check until after its
    /// syscall and the undo a failed re-check makes; dispose to end it. The agent releases a VIP it silenced only while
    /// none is under way (<see cref="Acting"/>): a gratuitous ARP or an address add that passed its check just before the
    /// end could otherwise reach the wire after the release, when a successor may hold the VIP.
    /// </summary>
    public ActionScope BeginAction()
    {
        Interlocked.Increment(ref _acting);
        return new ActionScope(this);
    }

    /// <summary>Whether a kernel action of the holder or its announcer is under way (<see cref="BeginAction"/>).</summary>
    public bool Acting => Volatile.Read(ref _acting) > 0;

    /// <summary>Ends an action begun by <see cref="BeginAction"/>.</summary>
    public readonly struct ActionScope(HolderLease lease) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref lease._acting);
    }

    /// <summary>Whether a kernel action at <paramref name="now"/> is still covered, with the <see cref="Guard"/> to spare.</summary>
    public bool Covers(TimeSpan now) => now + Guard < ValidUntil;

    /// <summary>What is left of the lease at <paramref name="now"/> (negative once it ended): the fence timeout to hand the kernel.</summary>
    public TimeSpan RemainingAt(TimeSpan now) => ValidUntil - now;
}
