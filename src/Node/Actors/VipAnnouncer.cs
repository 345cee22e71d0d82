using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Observability;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Announces a held VIP: at once, again after repeat-after (Linux ignores a second update within
/// its 1 s locktime, so the repeat must come later), then every refresh-interval.
/// </summary>
public sealed class VipAnnouncer : ReceiveActor, IWithTimers
{
    private sealed record Tick(int Number);

    private readonly InterfaceInfo _link;
    private readonly VipAddress _vip;
    private readonly AnnounceSettings _settings;
    private readonly IAnnouncer _announcer;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public VipAnnouncer(InterfaceInfo link, VipAddress vip, AnnounceSettings settings, IAnnouncer announcer)
    {
        _link = link;
        _vip = vip;
        _settings = settings;
        _announcer = announcer;
        Receive<Tick>(OnTick);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InterfaceInfo link, VipAddress vip, AnnounceSettings settings, IAnnouncer announcer) =>
        Akka.Actor.Props.Create(() => new VipAnnouncer(link, vip, settings, announcer));

    protected override void PreStart() => Self.Tell(new Tick(0));

    private void OnTick(Tick tick)
    {
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
