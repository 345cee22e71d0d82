using System.Diagnostics;
using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Node.Hosting;

/// <summary>
/// What systemd hears from a running node (Type=notify): READY=1 once it joined the cluster or holds a VIP, WATCHDOG=1 every
/// half WatchdogSec while <see cref="WatchdogPolicy"/> finds it healthy, RELOADING=1 and READY=1 around a reload (SIGHUP), STOPPING=1
/// when a stop begins. Does nothing outside systemd.
/// </summary>
public sealed class SystemdService : IDisposable
{
    private readonly ServiceNotifier _notifier;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _ready;
    private readonly object _readyGate = new();
    private volatile bool _stopping;
    /// <summary>Whether RELOADING=1 was sent for the reload under way, so that its end is READY=1 (under <see cref="_readyGate"/>).</summary>
    private bool _reloading;
    private Task? _watchdog;
    /// <summary>The node's current actor system (replaced when it rejoins, <see cref="Follow"/>), which the watchdog pings.</summary>
    private volatile NodeRuntime? _runtime;

    internal SystemdService(ServiceNotifier notifier) => _notifier = notifier;

    public static SystemdService Attach(NodeRuntime runtime, ServiceNotifier notifier)
    {
        var service = new SystemdService(notifier) { _runtime = runtime };
        if (!notifier.IsEnabled) return service;
        service.WatchReadiness(runtime.System, runtime.Self);
        var interval = WatchdogPolicy.Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        if (interval is { } every) service._watchdog = service.WatchAsync(every);
        return service;
    }

    /// <summary>
    /// The node rejoined as a new actor system: the watchdog pings its agent from now on, and its joining or serving makes the
    /// node ready if it was not yet (a node downed while still joining never had its MemberUp).
    /// </summary>
    public void Follow(NodeRuntime next)
    {
        _runtime = next;
        if (_notifier.IsEnabled) WatchReadiness(next.System, next.Self);
    }

    /// <summary>
    /// READY=1 when the node is Up in the cluster, or when it holds a VIP first: a node of a cluster whose first seed is down
    /// never joins, but serves once a majority of voters placed its VIPs (the deputies' cold start), and without READY=1
    /// systemd's TimeoutStartSec would restart it every few minutes. STATUS says which; joining always has the last word.
    /// </summary>
    internal void WatchReadiness(ActorSystem system, NodeId self)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.RegisterOnMemberUp(() => MarkReady($"node {self} joined the cluster", always: true));
        var serving = system.ActorOf(Props.Create(() => new ServingWatch(vip => MarkReady(IsMember(cluster)
            ? $"node {self} joined the cluster"
            : $"node {self} holds vip {vip} without having joined a cluster (is the first seed down?); a majority of voters placed it",
            always: false))), "systemd-serving");
        // Here, not in the actor's PreStart: an acquisition from now on is in its mailbox, however late the actor starts.
        system.EventStream.Subscribe(serving, typeof(VipAcquired));
    }

    /// <summary>Whether the node was let into a cluster (Joining, WeaklyUp or Up in its own view): its MemberUp is then on its way.</summary>
    private static bool IsMember(Akka.Cluster.Cluster cluster) =>
        ClusterSelf.Status(cluster) is Akka.Cluster.MemberStatus.Joining or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Up;

    /// <summary>READY=1 the first time, with <paramref name="status"/>; later only the status, and only when <paramref name="always"/>.</summary>
    private void MarkReady(string status, bool always)
    {
        // One lock around both datagrams, so that a status sent last is the one systemd keeps.
        lock (_readyGate)
        {
            if (_ready && !always) return;
            if (!_ready) _notifier.Ready();
            _ready = true;
            _notifier.Status(status);
        }
    }

    /// <summary>
    /// A reload (SIGHUP) began: RELOADING=1, stamped <paramref name="monotonicUsec"/>. Only once the node was ready: before, READY=1 at the
    /// reload's end would tell systemd that a node still joining had started.
    /// </summary>
    public void Reloading(long monotonicUsec)
    {
        lock (_readyGate)
        {
            if (!_ready) return;
            _reloading = true;
            _notifier.Reloading(monotonicUsec);
        }
    }

    /// <summary>The reload ended, applied or refused: READY=1, the node serves as before (systemd's reloading state ends).</summary>
    public void Reloaded()
    {
        lock (_readyGate)
        {
            if (!_reloading) return;
            _reloading = false;
            _notifier.Ready();
        }
    }

    /// <summary>Calls back with the VIP each time this node acquires one (<see cref="VipAcquired"/>).</summary>
    private sealed class ServingWatch : ReceiveActor
    {
        public ServingWatch(Action<string> serving) => Receive<VipAcquired>(a => serving(a.Vip));
    }

    /// <summary>A stop began: no more WATCHDOG=1, so a stop that hangs is not hidden by a healthy-looking agent.</summary>
    public void Stopping()
    {
        _stopping = true;
        _notifier.Stopping();
        _stop.Cancel();
    }

    private async Task WatchAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var runtime = _runtime!;
                var rtt = await PingAsync(runtime);
                if (WatchdogPolicy.ShouldNotify(new NodeHealth(_ready, _stopping, runtime.System.WhenTerminated.IsCompleted, rtt)))
                    _notifier.Watchdog();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The agent's ping round trip, null when it did not answer within the watchdog's timeout (also /healthz).</summary>
    internal static async Task<TimeSpan?> PingAsync(NodeRuntime runtime)
    {
        if (runtime.System.WhenTerminated.IsCompleted) return null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await runtime.Agent.Ask<Pong>(Ping.Instance, WatchdogPolicy.PingTimeout);
            return Stopwatch.GetElapsedTime(started);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watchdog?.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
