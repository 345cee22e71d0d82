using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// With lb.health.keep-vip-when-none-healthy = off, on every node, owner or not: checks the backends this node would
/// balance to (the static ones and the vip members; in local mode its own server at node-address:lb.port) and tells
/// the parent whether it sees at least one healthy one. Silent until the first verdicts have settled (fall checks),
/// because a backend starts healthy and an early "healthy" would make a node a move target before it was checked.
/// </summary>
public sealed class BackendWatch : ReceiveActor, IWithTimers
{
    private sealed record Settled
    {
        public static readonly Settled Instance = new();
    }

    private readonly LoadBalancerSettings _lb;
    private readonly Endpoint _node;
    private readonly LoadBalancerDrivers _drivers;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BackendSet _backends = new();
    private IActorRef _checker = ActorRefs.Nobody;
    private bool _settled;
    private bool? _told;

    public BackendWatch(LoadBalancerSettings lb, Endpoint node, LoadBalancerDrivers drivers)
    {
        _lb = lb;
        _node = node;
        _drivers = drivers;
        Receive<MembersChanged>(m =>
        {
            _backends.SetMembers(Resolve(m.Backends));
            _checker.Tell(new CheckTargets(_backends.All));
            Tell();
        });
        Receive<BackendHealthChanged>(h =>
        {
            _backends.Verdict(h.Backend, h.Healthy);
            Tell();
        });
        Receive<Settled>(_ =>
        {
            _settled = true;
            Tell();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(LoadBalancerSettings lb, Endpoint node, LoadBalancerDrivers drivers) =>
        Akka.Actor.Props.Create(() => new BackendWatch(lb, node, drivers));

    protected override void PreStart()
    {
        // Local mode delivers to this node's own server only: that is the one backend that matters here.
        _backends.SetStatic(Resolve(_lb.Method == ForwardingMethod.Local ? new[] { new Endpoint(_node.Host, _lb.Port) } : _lb.Backends));
        _checker = Context.ActorOf(HealthChecker.Props(_lb.HealthCheck, _drivers.Probes.For(_lb.HealthCheck)), "health");
        _checker.Tell(new CheckTargets(_backends.All));
        if (_lb.Method != ForwardingMethod.Local && _drivers.FollowMembers && _lb.MemberBackends)
            Context.ActorOf(MemberBackends.Props(_lb.BackendPort), "members");
        var health = _lb.HealthCheck;
        Timers.StartSingleTimer("settled", Settled.Instance, TimeSpan.FromTicks(health.Interval.Ticks * (health.Fall + 1)) + health.Timeout);
    }

    private void Tell()
    {
        if (!_settled) return;
        var healthy = _backends.All.Any(_backends.IsHealthy);
        if (healthy == _told) return;
        _told = healthy;
        _log.Info("this node sees {0}", healthy ? "at least one healthy backend" : "no healthy backend");
        Context.Parent.Tell(new LocalBackendHealth(healthy));
    }

    private IReadOnlyList<Backend> Resolve(IEnumerable<Endpoint> endpoints) =>
        BackendAddresses.Resolve(endpoints, null, warning => _log.Warning("backend watch: {0}", warning));
}
