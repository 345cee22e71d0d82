using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;

namespace ActorVip.Node.Hosting;

/// <summary>
/// One running node: its actor system with the voter, the allocator singleton (and its proxy) and the
/// agent. Used by `actorvip run` with the Linux drivers and by the simulation with recording drivers.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    private NodeRuntime(ActorSystem system, IActorRef agent, NodeId self, VoterState votes)
    {
        System = system;
        Agent = agent;
        Self = self;
        Votes = votes;
    }

    public ActorSystem System { get; }
    public IActorRef Agent { get; }
    public NodeId Self { get; }

    /// <summary>
    /// This node's votes (used by its voter actor only). Once <see cref="System"/> has terminated nothing touches them, and
    /// a new actor system in the same process may take them over (<see cref="Start"/>'s keptVotes): what this node
    /// promised is known, so its voter needs no quiet period.
    /// </summary>
    public VoterState Votes { get; }

    /// <summary>The voters' node ids: the seeds (every voting node is a seed), or this node alone.</summary>
    public static IReadOnlyList<NodeId> Voters(NodeSettings settings, string protocol) =>
        (settings.Seeds.Count > 0 ? settings.Seeds : [settings.NodeAddress])
        .Select(s => new NodeId(ClusterConfig.SeedAddress(settings.SystemName, s, protocol)))
        .ToList();

    /// <summary>
    /// What the allocator places. The nodes' health reports are about the default service's backends (actorvip.lb), so
    /// only a VIP that balances it may move on them; a VIP with services of its own stays where it is. Preferred nodes are
    /// voters (the reader checked), named as the cluster names them.
    /// </summary>
    public static IReadOnlyList<VipSpec> VipSpecs(NodeSettings settings, string? protocol = null)
    {
        var lb = settings.LoadBalancer;
        var move = lb.Enabled && !lb.HealthCheck.KeepVipWhenNoneHealthy;
        protocol ??= ClusterConfig.ProtocolOf(settings);
        return settings.Vips.Select(v => new VipSpec(v.Address.ToString(),
                v.PreferredNodes.Select(p => new NodeId(ClusterConfig.SeedAddress(settings.SystemName, p, protocol))).ToList(), v.Preempt,
                MoveWhenNoneHealthy: move && v.Services.Count == 0)
        { PreemptDelay = v.PreemptDelay })
            .ToList();
    }

    /// <param name="transportSecurity">Akka's TLS setup (PeerTrust.Setup) when actorvip.tls is on.</param>
    /// <param name="keptVotes">The votes of this process's previous actor system (a rejoin), whose system has terminated; null at a process start.</param>
    /// <param name="links">Every VIP interface as found at start (<see cref="NodeSettings.VipInterfaces"/>).</param>
    public static NodeRuntime Start(NodeSettings settings, Config config, IReadOnlyList<InterfaceInfo> links, DriverSet drivers, IMonotonicClock clock,
        string? protocol = null,
        Setup? transportSecurity = null, VoterState? keptVotes = null)
    {
        // DotNetty (Akka's TCP transport) tracks 1 in 128 buffers for leak reports nobody reads, each with a
        // stack trace resolved against the PDBs: CPU on the message path and 2 MB of metadata readers.
        DotNetty.Common.ResourceLeakDetector.Level = DotNetty.Common.ResourceLeakDetector.DetectionLevel.Disabled;
        protocol ??= ClusterConfig.ProtocolOf(settings);
        var akkaConfig = ClusterConfig.Build(settings, config, protocol);
        // ActorSystem.Create(name, setup) evaluates ConfigurationFactory.Load() even when the setup carries the
        // config, which reads an app.config section through System.Configuration (5 MB of XML code per node);
        // without a setup Create(name, config) does not, and with one we start the system as it would.
        ActorSystem system;
        if (transportSecurity is null) system = ActorSystem.Create(settings.SystemName, akkaConfig);
        else
        {
            var impl = new Akka.Actor.Internal.ActorSystemImpl(settings.SystemName, akkaConfig,
                BootstrapSetup.Create().WithConfig(akkaConfig).And(transportSecurity), Akka.Util.Option<Props>.None);
            impl.Start();
            system = impl;
        }
        var self = new NodeId(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
        var lease = settings.Lease;
        var voters = Voters(settings, protocol);
        // Once, for the voter (which refuses renewals carrying another) and the agent (whose renewals carry it).
        var fingerprint = LeaseFingerprint.Of(lease, voters);
        var votes = keptVotes ?? new VoterState(lease, clock.Now, fingerprint);
        system.ActorOf(VoterActor.Props(lease, self, clock, fingerprint, votes), VoterActor.Name);
        var health = settings.LoadBalancer.HealthCheck;
        var vips = VipSpecs(settings, protocol);
        // A node's report counts for a few of its report intervals, so that one lost report changes nothing.
        var reportExpiry = TimeSpan.FromTicks(health.Interval.Ticks * 3) + health.Timeout;
        system.ActorOf(ClusterSingletonManager.Props(
                VipAllocator.Props(vips, lease, voters, TimeSpan.FromMilliseconds(100), clock, health.MoveVipAfter, reportExpiry),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole("vip")),
            VipAllocator.Name);
        var allocator = system.ActorOf(ClusterSingletonProxy.Props(
                $"/user/{VipAllocator.Name}",
                ClusterSingletonProxySettings.Create(system).WithRole("vip")),
            VipAllocator.ProxyName);
        system.ActorOf(DeputyAllocator.Props(vips, lease, voters, self), DeputyAllocator.Name);
        // Before the agent, so that it hears the first acquisition; it only listens to the event stream.
        if (settings.Notify.Enabled)
            system.ActorOf(Notify.NotifyActor.Props(settings.Notify, new Notify.ProcessHookRunner(), self.Value, settings.InterfaceOf),
                Notify.NotifyActor.Name);
        var agent = system.ActorOf(NodeAgent.Props(settings, links, drivers, lease, voters, self, clock, allocator, fingerprint, vips), NodeAgent.Name);
        return new NodeRuntime(system, agent, self, votes);
    }

    /// <summary>Graceful stop: release every VIP first (the successor may acquire at once), then leave the cluster.</summary>
    public async Task StopAsync(TimeSpan releaseTimeout, TimeSpan leaveTimeout)
    {
        try
        {
            await Agent.Ask<AllReleased>(new ReleaseAll("stopping"), releaseTimeout);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            System.Log.Warning("releasing the VIPs took longer than {0} ms; stopping anyway", releaseTimeout.TotalMilliseconds);
        }
        var shutdown = CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await Task.WhenAny(shutdown, Task.Delay(leaveTimeout));
        if (!System.WhenTerminated.IsCompleted)
            await Task.WhenAny(System.Terminate(), Task.Delay(TimeSpan.FromMilliseconds(200)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!System.WhenTerminated.IsCompleted) await System.Terminate();
    }
}
