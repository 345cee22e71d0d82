using System.Diagnostics;
using ActorVip.Messages.Agent;
using Akka.Actor;

namespace ActorVip.Node.Hosting;

/// <summary>
/// What systemd hears from a running node (Type=notify): READY=1 once it joined the cluster, WATCHDOG=1 every
/// half WatchdogSec while <see cref="WatchdogPolicy"/> finds it healthy, STOPPING=1 when a stop begins.
/// Does nothing outside systemd.
/// </summary>
public sealed class SystemdService : IDisposable
{
    private readonly ServiceNotifier _notifier;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _ready;
    private volatile bool _stopping;
    private Task? _watchdog;
    /// <summary>The node's current actor system (replaced when it rejoins, <see cref="Follow"/>), which the watchdog pings.</summary>
    private volatile NodeRuntime? _runtime;

    private SystemdService(ServiceNotifier notifier) => _notifier = notifier;

    public static SystemdService Attach(NodeRuntime runtime, ServiceNotifier notifier)
    {
        var service = new SystemdService(notifier) { _runtime = runtime };
        if (!notifier.IsEnabled) return service;
        Akka.Cluster.Cluster.Get(runtime.System).RegisterOnMemberUp(() =>
        {
            service._ready = true;
            notifier.Ready();
            notifier.Status($"node {runtime.Self} joined the cluster");
        });
        var interval = WatchdogPolicy.Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        if (interval is { } every) service._watchdog = service.WatchAsync(every);
        return service;
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
