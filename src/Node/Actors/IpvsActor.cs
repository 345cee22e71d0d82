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
/// The IPVS services of one held VIP (each of its <see cref="ServiceConfig"/>s: TCP, UDP or SCTP on a port, or a
/// firewall mark). On start it reads the kernel table once, replaces whatever an earlier run left for this VIP with the
/// desired table, and from then on applies only the diff from the table it applied last (no re-read per change), one
/// diff for all the VIP's services. Each service has its own backends (static ones plus, if it says so, the cluster's vip
/// members through a MemberBackends child) and its own checks (a HealthChecker child, none for kind none); their
/// messages name the service. One NatActor child when any service masquerades: its rule matches the VIP, so it covers
/// every port and protocol. On stop it deletes exactly its services. The VipActor starts it only while the VIP is held.
/// </summary>
public sealed class IpvsActor : ReceiveActor, IWithTimers
{
    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    /// <summary>One service of the VIP with the backends it balances to and their verdicts.</summary>
    private sealed class Balanced(ServiceConfig config, IpvsServiceKey key)
    {
        public ServiceConfig Config { get; } = config;
        public IpvsServiceKey Key { get; } = key;
        public BackendSet Backends { get; } = new();
        public IActorRef? Checker { get; set; }
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly IPAddress _vip;
    private readonly IReadOnlyList<Balanced> _services;
    private readonly LoadBalancerDrivers _drivers;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    /// <summary>What the kernel holds for this VIP as far as we know; null when unknown (after a failure).</summary>
    private IpvsTable? _applied;

    public IpvsActor(VipAddress vip, IReadOnlyList<ServiceConfig> services, LoadBalancerDrivers drivers)
    {
        _vip = vip.Address;
        _services = services.Select(s => new Balanced(s, s.KeyFor(vip.Address))).ToList();
        _drivers = drivers;
        Receive<MembersChanged>(m =>
        {
            if (Find(m.Service) is not { } service) return;
            service.Backends.SetMembers(Resolve(m.Backends));
            service.Checker?.Tell(new CheckTargets(service.Backends.All));
            Reconcile();
        });
        Receive<BackendHealthChanged>(h =>
        {
            if (Find(h.Service) is not { } service) return;
            service.Backends.Verdict(h.Backend, h.Healthy);
            Reconcile();
        });
        Receive<Retry>(_ => Reconcile());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Applying a large table takes seconds (docs/IPVS.md): on the thread pool, not on the node's actor loop.</summary>
    public static Props Props(VipAddress vip, IReadOnlyList<ServiceConfig> services, LoadBalancerDrivers drivers) =>
        Akka.Actor.Props.Create(() => new IpvsActor(vip, services, drivers)).WithDispatcher("akka.actor.default-blocking-io-dispatcher");

    /// <summary>The VIP's services with the node-wide settings as its one service.</summary>
    public static Props Props(VipAddress vip, LoadBalancerSettings lb, LoadBalancerDrivers drivers) =>
        Props(vip, [ServiceConfig.FromLoadBalancer(lb)], drivers);

    /// <summary>Every service on the VIP's address is ours (a crashed run's too), and the firewall marks this VIP is configured with.</summary>
    private bool Owned(IpvsServiceKey key) => _vip.Equals(key.Address) || (key.IsFirewallMark && _services.Any(s => s.Key == key));

    private Balanced? Find(string name) => _services.FirstOrDefault(s => s.Config.Name == name);

    protected override void PreStart()
    {
        foreach (var service in _services)
        {
            service.Backends.SetStatic(Resolve(service.Config.Backends));
            if (service.Config.Method == ForwardingMethod.Bypass)
            {
                _log.Warning("vip={0} {1}: bypass forwarding sends each packet on to its own destination, the VIP, which is local on this node: " +
                    "the kernel drops it (docs/LOAD-BALANCING.md)", _vip, service.Config.Name);
            }
        }
        Reconcile();
        foreach (var (service, index) in _services.Select((s, i) => (s, i)))
        {
            var config = service.Config;
            if (config.Method != ForwardingMethod.Local && config.Health.Kind != HealthCheckKind.None)
            {
                service.Checker = Context.ActorOf(HealthChecker.Props(config.Health, _drivers.Probes.For(config.Health), config.Name), $"health-{index}");
                service.Checker.Tell(new CheckTargets(service.Backends.All));
            }
            if (config.Method != ForwardingMethod.Local && _drivers.FollowMembers && config.MemberBackends)
                Context.ActorOf(MemberBackends.Props(config.BackendPort, config.Name), $"members-{index}");
        }
        if (_services.Any(s => s.Config.Method == ForwardingMethod.Masquerade))
            Context.ActorOf(NatActor.Props(_vip, _drivers.Nat), "nat");
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
            _log.Error("vip={0}: removing its IPVS services failed: {1}", _vip, e.Message);
        }
    }

    private void Reconcile()
    {
        var desired = new IpvsTable(_services.Select(s => LoadBalancerTable.Service(_vip, s.Config, s.Backends.All, s.Backends.IsHealthy)));
        try
        {
            var started = Stopwatch.GetTimestamp();
            // Read the kernel only when we do not know what it holds: at start (stale services of a crashed run) and after a failure.
            var actual = _applied ?? _drivers.Ipvs.List().Where(Owned);
            var changes = desired.ChangesFrom(actual, Owned);
            _applied = null;
            _drivers.Ipvs.Execute(changes);
            _applied = desired;
            var health = _services.SelectMany(s => s.Backends.All.Select(b => new BackendHealth(b, s.Backends.IsHealthy(b), s.Config.Name))).ToList();
            Context.System.EventStream.Publish(new LoadBalancerObserved(_vip.ToString(), desired, health));
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
