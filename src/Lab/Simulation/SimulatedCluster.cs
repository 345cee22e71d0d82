using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using ActorVip.Ownership;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Direction = Akka.Remote.Transport.ThrottleTransportAdapter.Direction;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// N real nodes (real Akka cluster, real remoting over 127.0.0.1) in this process, each on recording drivers
/// that write one shared timeline; faults go through Akka's throttler transport adapter (akka.trttl.tcp).
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    public const string Protocol = "akka.trttl.tcp";
    public const string DefaultVip = "192.0.2.10";
    private const string Harness = "sim";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a restart waits for the cluster to remove the node's previous incarnation.</summary>
    public static readonly TimeSpan ForgetTimeout = TimeSpan.FromSeconds(15);

    private readonly Config _baseConfig;
    private readonly List<SimulatedNode> _nodes;

    private SimulatedCluster(Config baseConfig, List<SimulatedNode> nodes, Timeline timeline, LeaseSettings lease, string vip)
    {
        _baseConfig = baseConfig;
        _nodes = nodes;
        Timeline = timeline;
        Lease = lease;
        Vip = vip;
    }

    public IReadOnlyList<SimulatedNode> Nodes => _nodes;
    public Timeline Timeline { get; }
    public LeaseSettings Lease { get; }

    /// <summary>The VIP the scenarios watch (the first configured one).</summary>
    public string Vip { get; }

    /// <summary>
    /// Picks the ports, then starts every node and waits until each sees all of them Up. <paramref name="baseConfig"/>
    /// is the user's configuration (reference.conf underneath); node address, seeds, nodes and interface are the harness's.
    /// </summary>
    public static async Task<SimulatedCluster> StartAsync(int nodes, Config baseConfig, Timeline timeline, TimeSpan timeout)
    {
        ReserveThreads(nodes);
        var systemName = baseConfig.GetString("actorvip.system-name", "actorvip");
        var endpoints = FreePorts(nodes).Select(port => new Endpoint("127.0.0.1", port)).ToList();
        var list = endpoints.Select((e, i) =>
        {
            var name = $"n{i + 1}";
            return new SimulatedNode(name, i + 1, e, new Address(Protocol, systemName, e.Host, e.Port), new SimulatedHost(name, i + 1, timeline));
        }).ToList();
        var first = SettingsFor(baseConfig, list, list[0]);
        var cluster = new SimulatedCluster(baseConfig, list, timeline, first.Settings.Lease, first.Settings.Vips[0].Address.ToString());
        try
        {
            foreach (var node in list) await cluster.StartNodeAsync(node);
            await cluster.WaitForMembersAsync(timeout);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>
    /// All nodes share this process's thread pool, and an actor system blocks pool threads while it starts; with the
    /// pool's default minimum (one per core) a restart stalled every other node's heartbeats and renewals for ~700 ms,
    /// which no real, separate machine would see. Enough threads up front keep the nodes independent.
    /// </summary>
    private static void ReserveThreads(int nodes)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = 16 * nodes;
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, Math.Max(io, wanted));
    }

    /// <summary>
    /// <paramref name="count"/> distinct free ports now: bind port 0 that many times, read them, then close all (Akka binds
    /// them a moment later). All held until all are read: a port closed at once may be handed out again by the next bind,
    /// and two nodes on one port made a run fail with "a seed is listed twice".
    /// </summary>
    private static IReadOnlyList<int> FreePorts(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToList();
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    private static (NodeSettings Settings, Config Config) SettingsFor(Config baseConfig, IReadOnlyList<SimulatedNode> nodes, SimulatedNode node)
    {
        var overrides = new HoconOverrides()
            .Set("actorvip.interface", node.Host.Link.Name)
            .Set("actorvip.node-address", node.Endpoint.ToString())
            .SetList("actorvip.seeds", nodes.Select(n => n.Endpoint.ToString()))
            .Set("actorvip.nodes", nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!baseConfig.HasPath("actorvip.addresses") || baseConfig.GetStringList("actorvip.addresses").Count == 0)
            overrides.SetList("actorvip.addresses", [DefaultVip]);
        var harness = $$"""
            {{overrides}}
            akka.remote.dot-netty.tcp.applied-adapters = [trttl]
            akka.loggers = ["{{typeof(QuietLogger).AssemblyQualifiedName}}"]
            akka.stdout-loglevel = OFF
            akka.loglevel = INFO
            # A crash is a terminate without the cluster leave; a graceful stop runs coordinated shutdown itself.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """;
        var config = ConfigurationFactory.ParseString(harness).WithFallback(baseConfig);
        return (SettingsReader.Read(config), config);
    }

    private void Fault(string what) => Timeline.Record(Harness, null, TimelineKind.Fault, what);

    public void Mark(string what) => Timeline.Record(Harness, null, TimelineKind.Mark, what);

    /// <summary>Starts a node on a thread of its own: creating an actor system blocks, and the pool belongs to the running nodes.</summary>
    private Task StartNodeAsync(SimulatedNode node) => Task.Factory.StartNew(() => StartNode(node), CancellationToken.None, TaskCreationOptions.LongRunning,
        TaskScheduler.Default);

    /// <summary>Starts a node process on its host as `actorvip run` would: stale address removed, fence installed, then the runtime.</summary>
    private void StartNode(SimulatedNode node)
    {
        var (settings, config) = SettingsFor(_baseConfig, _nodes, node);
        node.Host.StartProcess();
        var drivers = node.Host.Drivers;
        var link = node.Host.Link;
        foreach (var vip in settings.Vips.Select(v => v.Vip).Where(v => drivers.Addresses.Has(link, v)))
            drivers.Addresses.Remove(link, vip);
        var fence = settings.Fence.Enabled ? drivers.Fence : null;
        fence?.Install(settings.Vips.Select(v => v.Address).ToList());
        var runtime = NodeRuntime.Start(settings, config, [link], drivers with { Fence = fence }, MonotonicClock.Instance, Protocol);
        TimelineLog.Attach(runtime.System, node.Host);
        node.Runtime = runtime;
        Mark($"started {node.Name} at {node.Address}");
    }

    /// <summary>Every running node sees every running node Up, and nobody unreachable.</summary>
    public bool MembersSettled()
    {
        var running = _nodes.Where(n => n.IsRunning).ToList();
        var addresses = running.Select(n => n.Address).ToHashSet();
        return running.All(n =>
        {
            var state = Akka.Cluster.Cluster.Get(n.Runtime!.System).State;
            var up = state.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).Select(m => m.Address).ToHashSet();
            return up.SetEquals(addresses) && state.Unreachable.Count == 0;
        });
    }

    public Task WaitForMembersAsync(TimeSpan timeout) =>
        WaitUntilAsync(MembersSettled, timeout, () => $"the cluster did not settle ({string.Join(", ", _nodes.Where(n => n.IsRunning).Select(n => n.Name))} " +
            $"all Up, none unreachable) within {timeout.TotalSeconds:0} s");

    /// <summary>The node holding the VIP now, by the timeline (address present and fence open).</summary>
    public SimulatedNode? Owner()
    {
        var holder = HoldIntervals.Current(Timeline.Events, Timeline.Now).FirstOrDefault(h => h.Vip == Vip);
        return holder is null ? null : _nodes.First(n => n.Name == holder.Node);
    }

    /// <summary>Waits until some node (one that <paramref name="accept"/> allows) holds the VIP.</summary>
    public async Task<SimulatedNode> WaitForOwnerAsync(TimeSpan timeout, Func<SimulatedNode, bool>? accept = null)
    {
        SimulatedNode? owner = null;
        await WaitUntilAsync(() => (owner = Owner()) is { } o && (accept?.Invoke(o) ?? true), timeout,
            () => $"no {(accept is null ? "" : "other ")}node held {Vip} within {timeout.TotalSeconds:0} s (holder now: {Owner()?.Name ?? "none"})");
        return owner!;
    }

    /// <summary>The node the allocator singleton runs on, if any now.</summary>
    public async Task<SimulatedNode?> AllocatorAsync()
    {
        foreach (var node in _nodes.Where(n => n.IsRunning))
        {
            try
            {
                await node.Runtime!.System.ActorSelection("/user/allocator/singleton").ResolveOne(TimeSpan.FromMilliseconds(500));
                return node;
            }
            catch (ActorNotFoundException)
            {
            }
        }
        return null;
    }

    public async Task<SimulatedNode> WaitForAllocatorAsync(TimeSpan timeout, Func<SimulatedNode, bool>? accept = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await AllocatorAsync() is { } a && (accept?.Invoke(a) ?? true)) return a;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {(accept is null ? "" : "other ")}node ran the allocator within " +
                $"{timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    /// <summary>Crash: the node is cut off both ways, then its process dies without leaving (its address stays; its fence expires).</summary>
    public async Task CrashAsync(SimulatedNode node)
    {
        Fault($"crash {node.Name}");
        await CutAsync([node], _nodes.Where(n => n != node).ToList(), Direction.Both);
        node.Host.KillProcess();
        if (node.Runtime is { } runtime)
        {
            node.Runtime = null;
            await runtime.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }
    }

    /// <summary>Graceful stop (SIGTERM): release every VIP first, then leave the cluster.</summary>
    public async Task LeaveAsync(SimulatedNode node)
    {
        Fault($"graceful leave {node.Name}");
        if (node.Runtime is not { } runtime) return;
        await runtime.StopAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        node.Runtime = null;
    }

    /// <summary>Cuts <paramref name="side"/> off from every other node, both directions.</summary>
    public Task PartitionAsync(IReadOnlyCollection<SimulatedNode> side)
    {
        var others = _nodes.Where(n => !side.Contains(n)).ToList();
        Fault($"partition [{string.Join(",", side.Select(n => n.Name))}] | [{string.Join(",", others.Select(n => n.Name))}]");
        return CutAsync(side, others, Direction.Both);
    }

    /// <summary>Asymmetric loss: messages from <paramref name="from"/> to <paramref name="to"/> are dropped; the other direction works.</summary>
    public async Task DropAsync(SimulatedNode from, SimulatedNode to)
    {
        Fault($"drop {from.Name} -> {to.Name} (one way)");
        await ThrottleAsync(from, to, Direction.Send, Blackhole.Instance);
        await ThrottleAsync(to, from, Direction.Receive, Blackhole.Instance);
    }

    /// <summary>
    /// Freeze (GC or VM pause, SIGSTOP): every user actor of the node (agent, its VIP holders, voter, allocator) is
    /// suspended for <paramref name="duration"/> through the /user guardian, so it neither renews nor answers; their
    /// mailboxes fill and are worked off after, like a stopped process's socket buffers. Akka's own heartbeats go on,
    /// so only the lease can notice. The kernel fence is not frozen: its element expires on time.
    /// </summary>
    public async Task FreezeAsync(SimulatedNode node, TimeSpan duration)
    {
        if (node.Runtime is not { } runtime) return;
        Fault($"freeze {node.Name} for {duration.TotalMilliseconds:0} ms");
        var guardian = ((ExtendedActorSystem)runtime.System).Guardian;
        guardian.Suspend();
        await Task.Delay(duration);
        guardian.Resume();
        Timeline.Record(Harness, null, TimelineKind.Heal, $"thaw {node.Name}");
    }

    /// <summary>Heal: every link unthrottled, then every node that is not running (crashed, left, downed) started again.</summary>
    public async Task HealAsync()
    {
        Timeline.Record(Harness, null, TimelineKind.Heal, "heal: all links restored, stopped nodes restart");
        var running = _nodes.Where(n => n.IsRunning).ToList();
        foreach (var a in running)
        {
            foreach (var b in _nodes.Where(n => n != a))
                await ThrottleAsync(a, b, Direction.Both, Unthrottled.Instance);
        }
        foreach (var node in _nodes.Where(n => !n.IsRunning))
            await RestartAsync(node);
    }

    /// <summary>
    /// A new process on the same host and port, after a crash, a leave or a downing. It waits (at most
    /// <see cref="ForgetTimeout"/>) until no running node lists the old incarnation any more, as a service manager's
    /// restart delay would: a new incarnation that joined at once was often seen unreachable by the peer that had downed
    /// the old one, and the split-brain resolver then downed both (docs/SIMULATION.md, Limits). The wait makes it rarer.
    /// </summary>
    public async Task RestartAsync(SimulatedNode node)
    {
        if (node.Runtime is { } old)
        {
            node.Runtime = null;
            await old.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }
        var deadline = DateTime.UtcNow + ForgetTimeout;
        while (DateTime.UtcNow < deadline && _nodes.Any(n => n.IsRunning
            && Akka.Cluster.Cluster.Get(n.Runtime!.System).State.Members.Any(m => m.Address == node.Address)))
            await Task.Delay(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartNodeAsync(node);
                return;
            }
            catch (Exception e) when (attempt < 10)
            {
                // The port may still be held by the old incarnation's closing sockets for a moment.
                Mark($"restart {node.Name} failed ({e.GetType().Name}: {e.Message}); retrying");
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Rolling restart: one node after the other leaves gracefully, restarts and rejoins before the next.</summary>
    public async Task RollingRestartAsync(TimeSpan timeoutPerNode)
    {
        foreach (var node in _nodes)
        {
            await LeaveAsync(node);
            await RestartAsync(node);
            await WaitForMembersAsync(timeoutPerNode);
            await WaitForOwnerAsync(timeoutPerNode);
        }
    }

    /// <summary>Recovered: every node running, the cluster settled, and some node holds the VIP.</summary>
    /// <remarks>
    /// Meanwhile it restarts every node that stopped by itself (downed by the split-brain resolver), as systemd
    /// restarts `actorvip run`: after a heal, Akka can still see a restarted node and one peer as unreachable for a
    /// few seconds and then down both as indirectly connected.
    /// </remarks>
    public async Task<SimulatedNode> WaitForRecoveryAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var node in _nodes.Where(n => !n.IsRunning).ToList())
            {
                Mark($"{node.Name} is not running (downed); the service manager restarts it");
                await RestartAsync(node);
            }
            if (_nodes.All(n => n.IsRunning) && MembersSettled() && Owner() is { } owner)
            {
                Mark($"recovered: {owner.Name} holds {Vip}");
                return owner;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(!MembersSettled()
                    ? $"the cluster did not settle after the heal within {timeout.TotalSeconds:0} s (every node Up, none unreachable)"
                    : $"no node held {Vip} within {timeout.TotalSeconds:0} s after the heal");
            }
            await Task.Delay(100);
        }
    }

    private async Task CutAsync(IReadOnlyCollection<SimulatedNode> side, IReadOnlyCollection<SimulatedNode> others, Direction direction)
    {
        foreach (var a in side)
        {
            foreach (var b in others)
            {
                await ThrottleAsync(a, b, direction, Blackhole.Instance);
                await ThrottleAsync(b, a, direction, Blackhole.Instance);
            }
        }
    }

    /// <summary>Sets the throttle on <paramref name="on"/>'s transport for its traffic with <paramref name="peer"/>.</summary>
    private static async Task ThrottleAsync(SimulatedNode on, SimulatedNode peer, Direction direction, ThrottleMode mode)
    {
        if (!on.IsRunning) return;
        // RARP is internal in Akka 1.5; the provider interface it wraps is public.
        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)on.Runtime!.System).Provider).Transport;
        bool done;
        try
        {
            done = await transport.ManagementCommand(new SetThrottle(peer.Address, direction, mode)).WaitAsync(CommandTimeout);
        }
        catch (TimeoutException) when (!on.IsRunning)
        {
            return; // downed and shutting down meanwhile: its transport no longer answers, and no longer matters
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the throttler of {on.Name} did not confirm {mode} {direction} for {peer.Name} within " +
                $"{CommandTimeout.TotalSeconds:0} s");
        }
        if (!done) throw new InvalidOperationException($"the throttler of {on.Name} refused {mode} {direction} for {peer.Name}; is " +
            "akka.remote.dot-netty.tcp.applied-adapters = [trttl] set?");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure());
            await Task.Delay(50);
        }
    }

    /// <summary>Stops every node without recording the teardown (the hosts "power off" first).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) node.Host.KillProcess();
        var stopping = _nodes.Where(n => n.Runtime is not null).Select(n => n.Runtime!.System.Terminate()).ToList();
        foreach (var node in _nodes) node.Runtime = null;
        await Task.WhenAll(stopping).WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { });
    }
}
