using System.Diagnostics;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// The IPVS service of one held VIP. On start it reads the kernel table once, replaces whatever an earlier run
/// left for this VIP with the desired table, and from then on applies only the diff from the table it applied
/// last (no re-read per change). Backends: the cluster's vip members (a MemberBackends child) plus the static
/// ones; their health comes from a HealthChecker child. Masquerade adds a NatActor child. On stop it deletes
/// exactly its service. The VipActor starts it only while the VIP is held.
/// </summary>
public sealed class IpvsActor : ReceiveActor, IWithTimers
{
    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly IPAddress _vip;
    private readonly LoadBalancerSettings _lb;
    private readonly LoadBalancerDrivers _drivers;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BackendSet _backends = new();
    private IActorRef? _checker;
    /// <summary>What the kernel holds for this VIP as far as we know; null when unknown (after a failure).</summary>
    private IpvsTable? _applied;

    public IpvsActor(VipAddress vip, LoadBalancerSettings lb, LoadBalancerDrivers drivers)
    {
        _vip = vip.Address;
        _lb = lb;
        _drivers = drivers;
        Receive<MembersChanged>(m =>
        {
            _backends.SetMembers(Resolve(m.Backends));
            _checker?.Tell(new CheckTargets(_backends.All));
            Reconcile();
        });
        Receive<BackendHealthChanged>(h =>
        {
            _backends.Verdict(h.Backend, h.Healthy);
            Reconcile();
        });
        Receive<Retry>(_ => Reconcile());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Applying a large table takes seconds (docs/IPVS.md): on the thread pool, not on the node's actor loop.</summary>
    public static Props Props(VipAddress vip, LoadBalancerSettings lb, LoadBalancerDrivers drivers) =>
        Akka.Actor.Props.Create(() => new IpvsActor(vip, lb, drivers)).WithDispatcher("akka.actor.default-blocking-io-dispatcher");

    private bool Owned(IpvsServiceKey key) => _vip.Equals(key.Address);

    protected override void PreStart()
    {
        _backends.SetStatic(Resolve(_lb.Backends));
        if (_lb.Method == ForwardingMethod.Bypass)
            _log.Warning("vip={0}: bypass forwarding sends each packet on to its own destination, the VIP, which is local on this node: the kernel drops it (docs/LOAD-BALANCING.md)", _vip);
        Reconcile();
        if (_lb.Method != ForwardingMethod.Local)
        {
            _checker = Context.ActorOf(HealthChecker.Props(_lb.HealthCheck, _drivers.Probe), "health");
            _checker.Tell(new CheckTargets(_backends.All));
        }
        if (_lb.Method == ForwardingMethod.Masquerade)
            Context.ActorOf(NatActor.Props(_vip, _drivers.Nat), "nat");
        if (_drivers.FollowMembers && _lb.MemberBackends)
            Context.ActorOf(MemberBackends.Props(_lb.BackendPort), "members");
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Publish(new LoadBalancerStopped(_vip.ToString()));
        try
        {
            var table = _applied ?? _drivers.Ipvs.List();
            var removals = table.Services.Where(s => Owned(s.Key)).Select(s => (IpvsOperation)new DeleteService(s.Key)).ToList();
            _drivers.Ipvs.Execute(removals);
            foreach (var op in removals) _log.Info("vip={0}: {1}", _vip, op.Describe());
        }
        catch (Exception e)
        {
            _log.Error("vip={0}: removing its IPVS service failed: {1}", _vip, e.Message);
        }
    }

    private void Reconcile()
    {
        var desired = LoadBalancerTable.Desired(_vip, _lb, _backends.All, _backends.IsHealthy);
        try
        {
            var started = Stopwatch.GetTimestamp();
            // Read the kernel only when we do not know what it holds: at start (stale services of a crashed run) and after a failure.
            var actual = _applied ?? _drivers.Ipvs.List().Where(Owned);
            var changes = desired.ChangesFrom(actual, Owned);
            _applied = null;
            _drivers.Ipvs.Execute(changes);
            _applied = desired;
            Context.System.EventStream.Publish(new LoadBalancerObserved(_vip.ToString(), desired, _backends.All.Select(b => new BackendHealth(b, _backends.IsHealthy(b))).ToList()));
            if (changes.Count == 0) return;
            foreach (var op in changes) _log.Info("vip={0}: {1}", _vip, op.Describe());
            _log.Debug("vip={0}: {1} IPVS changes in {2:F1} ms", _vip, changes.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Context.System.EventStream.Publish(new LoadBalancerReconciled(_vip.ToString(), changes, desired));
        }
        catch (Exception e)
        {
            _log.Error("vip={0}: programming IPVS failed: {1}; retrying in {2} s", _vip, e.Message, RetryAfter.TotalSeconds);
            Context.System.EventStream.Publish(new LoadBalancerReconcileFailed(_vip.ToString(), e.Message));
            Timers.StartSingleTimer("retry", Retry.Instance, RetryAfter);
        }
    }

    private IReadOnlyList<Backend> Resolve(IEnumerable<Endpoint> endpoints) =>
        BackendAddresses.Resolve(endpoints, _vip.AddressFamily, warning => _log.Warning("vip={0}: {1}", _vip, warning));
}
