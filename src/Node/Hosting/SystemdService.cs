using System.Diagnostics;
using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using Akka.Actor;

namespace ActorVip.Node.Hosting;

/// <summary>
/// What systemd hears from a running node (Type=notify): READY=1 once it joined the cluster or holds a VIP, WATCHDOG=1 every
/// half WatchdogSec while <see cref="WatchdogPolicy"/> finds it healthy, STOPPING=1 when a stop begins.
/// Does nothing outside systemd.
/// </summary>
public sealed class SystemdService : IDisposable
{
    private readonly ServiceNotifier _notifier;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _ready;
    private readonly object _readyGate = new();
    private volatile bool _stopping;
    private Task? _watchdog;
    /// <summary>The node's current actor system (replaced when it rejoins, <see cref="Follow"/>), which the watchdog pings.</summary>
    private volatile NodeRuntime? _runtime;

    private SystemdService(ServiceNotifier notifier) => _notifier = notifier;

    public static SystemdService Attach(NodeRuntime runtime, ServiceNotifier notifier)
    {
        var service = new SystemdService(notifier) { _runtime = runtime };
        if (!notifier.IsEnabled) return service;
        Akka.Cluster.Cluster.Get(runtime.System).RegisterOnMemberUp(() => service.MarkReady($"node {runtime.Self} joined the cluster"));
        // A node of a cluster whose first seed is down never joins, but serves once a majority of voters places the VIPs
        // (the deputies' cold start): it is ready then, or systemd's TimeoutStartSec would restart it every few minutes.
        ReadyWhenServing(runtime.System, vip => service.MarkReady(
            $"node {runtime.Self} holds vip {vip} without having joined a cluster (is the first seed down?); a majority of voters placed it"));
        var interval = WatchdogPolicy.Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        if (interval is { } every) service._watchdog = service.WatchAsync(every);
        return service;
    }

    private void MarkReady(string status)
    {
        lock (_readyGate)
        {
            if (_ready) return;
            _ready = true;
        }
        _notifier.Ready();
        _notifier.Status(status);
    }

    /// <summary>Calls <paramref name="ready"/> with the VIP each time this node acquires one (<see cref="VipAcquired"/>), from an actor of its own.</summary>
    internal static IActorRef ReadyWhenServing(ActorSystem system, Action<string> ready) =>
        system.ActorOf(Props.Create(() => new ServingWatch(ready)), "systemd-serving");

    private sealed class ServingWatch : ReceiveActor
    {
        public ServingWatch(Action<string> ready) => Receive<VipAcquired>(a => ready(a.Vip));

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(VipAcquired));
    }

    /// <summary>The node rejoined as a new actor system: the watchdog pings its agent from now on (READY=1 was sent once, and stays).</summary>
    public void Follow(NodeRuntime next) => _runtime = next;

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
