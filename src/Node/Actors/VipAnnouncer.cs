using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Observability;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Announces a held VIP: at once, again after repeat-after (Linux ignores a second update within
/// its 1 s locktime, so the repeat must come later), then every refresh-interval. Each announce first checks the
/// shared <see cref="HolderLease"/>: a tick that arrives after the lease ended (a stall) sends nothing, since a gratuitous
/// ARP for a VIP another node now holds would draw its clients to this fenced node. Repeats and refreshes wait for their
/// slot of the node's <see cref="AnnouncePacer"/>; the first announcement does not.
/// </summary>
public sealed class VipAnnouncer : ReceiveActor, IWithTimers
{
    /// <param name="Paced">Its slot of the pacer has come (a repeat or refresh reserves one first).</param>
    private sealed record Tick(int Number, bool Paced = false);

    private readonly InterfaceInfo _link;
    private readonly VipAddress _vip;
    private readonly AnnounceSettings _settings;
    private readonly IAnnouncer _announcer;
    private readonly HolderLease _lease;
    private readonly AnnouncePacer _pacer;
    private bool _skipping;
    /// <summary>How soon a skipped announce is tried again: a renewal interval is 250 ms, the lease's guard 15 ms.</summary>
    private static readonly TimeSpan SkippedRetry = TimeSpan.FromMilliseconds(50);

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public VipAnnouncer(InterfaceInfo link, VipAddress vip, AnnounceSettings settings, IAnnouncer announcer, HolderLease lease, AnnouncePacer pacer)
    {
        _pacer = pacer;
        _lease = lease;
        _link = link;
        _vip = vip;
        _settings = settings;
        _announcer = announcer;
        Receive<Tick>(OnTick);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InterfaceInfo link, VipAddress vip, AnnounceSettings settings, IAnnouncer announcer, HolderLease lease,
        AnnouncePacer? pacer = null)
    {
        var paced = pacer ?? AnnouncePacer.Unpaced;
        return Akka.Actor.Props.Create(() => new VipAnnouncer(link, vip, settings, announcer, lease, paced));
    }

    protected override void PreStart() => Self.Tell(new Tick(0));

    private void OnTick(Tick tick)
    {
        if (tick.Number > 0 && !tick.Paced && _pacer.Reserve() is var wait && wait > TimeSpan.Zero)
        {
            Timers.StartSingleTimer("announce", tick with { Paced = true }, wait);
            return;
        }
        // From before the check until the frame is sent: the agent releases the VIP only while no send is under way.
        using var acting = _lease.BeginAction();
        var now = _lease.Clock.Now;
        if (!_lease.Covers(now))
        {
            // Once per streak: the retries below would repeat it every 50 ms until the agent stops this holder.
            if (!_skipping)
                _log.Warning("not announcing vip={0} on {1}: its lease has {2} ms left, under the {3} ms guard (a late tick after a stall)", _vip,
                    _link.Name, (int)_lease.RemainingAt(now).TotalMilliseconds, (int)HolderLease.Guard.TotalMilliseconds);
            _skipping = true;
            // The same announce again soon: a renewal may yet extend a lease that was only within the guard of its end (the
            // agent stops this holder once the lease is really over).
            Timers.StartSingleTimer("announce", tick, SkippedRetry);
            return;
        }
        _skipping = false;
        try
        {
            _announcer.Announce(_link, _vip);
            Context.System.EventStream.Publish(new AnnouncementSent(_vip.Address.ToString()));
            _log.Debug("announced vip={0} interface={1} mac={2} n={3}", _vip, _link.Name, _link.Mac, tick.Number);
        }
        catch (Exception e)
        {
            _log.Warning("announcing vip={0} on {1} failed: {2}", _vip, _link.Name, e.Message);
        }
        var next = tick.Number == 0 ? _settings.RepeatAfter : _settings.RefreshInterval;
        if (tick.Number == 0 && _settings.RepeatAfter == TimeSpan.Zero) next = _settings.RefreshInterval;
        if (next > TimeSpan.Zero) Timers.StartSingleTimer("announce", new Tick(tick.Number + 1), next);
    }
}
