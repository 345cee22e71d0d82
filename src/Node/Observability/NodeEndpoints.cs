using System.Net.Sockets;
using System.Text;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using ActorVip.Node.Runtime;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Node.Observability;

/// <summary>
/// The node's observability endpoint on metrics-address: /metrics (Prometheus text), /healthz, /readyz,
/// /status (JSON for `actorvip status`) and /reload (JSON for `actorvip reload`, <see cref="ReloadReport"/>). Starts the
/// MetricsActor that turns the node's events into metrics.
/// </summary>
public sealed class NodeEndpoints : IDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PlacementTimeout = TimeSpan.FromSeconds(1);

    // Replaced by a reload (Reconfigure); read by the HTTP handlers' threads.
    private volatile NodeSettings _settings;
    private readonly NodeMetrics _metrics;
    private readonly NodeObservations _state;
    private readonly HttpEndpoint _http;
    private readonly ReloadHistory _reloads;
    // Replaced together when the node rejoins as a new actor system (Follow); read by the HTTP handlers' threads.
    private volatile NodeRuntime _runtime;
    private volatile IActorRef _observer;

    private NodeEndpoints(NodeRuntime runtime, NodeSettings settings, TcpListener listener, ReloadHistory reloads)
    {
        _runtime = runtime;
        _reloads = reloads;
        _settings = settings;
        _metrics = new NodeMetrics(new MetricRegistry());
        _state = new NodeObservations(runtime.Self.Value, VipNames(settings));
        _observer = runtime.System.ActorOf(MetricsActor.Props(_state, _metrics), MetricsActor.Name);
        _http = new HttpEndpoint(listener, RouteAsync);
        _http.Start();
    }

    /// <summary>
    /// Serves the node's new actor system from now on (it rejoined after the cluster removed it): the metrics go on
    /// counting where they were, fed by a metrics actor in the new system.
    /// </summary>
    public void Follow(NodeRuntime next)
    {
        _observer = next.System.ActorOf(MetricsActor.Props(_state, _metrics), MetricsActor.Name);
        _runtime = next;
    }

    /// <summary>
    /// A reload applied <paramref name="settings"/>: `actorvip status` and the per-VIP metrics list its VIPs from now on (they
    /// listed the VIPs of the start until the process restarted).
    /// </summary>
    public void Reconfigure(NodeSettings settings)
    {
        _settings = settings;
        _observer.Tell(new VipsConfigured(VipNames(settings)));
    }

    /// <summary>The configured VIPs as status and the metrics name them: addresses without prefix, in configuration order.</summary>
    private static List<string> VipNames(NodeSettings settings) => settings.Vips.Select(v => v.Address.ToString()).ToList();

    /// <summary>Serves on <paramref name="listener"/> (bound early by <see cref="MetricsAddress.Listen"/>, before anything touched the kernel).</summary>
    public static NodeEndpoints Start(NodeRuntime runtime, NodeSettings settings, TcpListener listener, ReloadHistory reloads) =>
        new(runtime, settings, listener, reloads);

    private ClusterView View() => ClusterView.Of(Akka.Cluster.Cluster.Get(_runtime.System), _settings.Lease.Majority);

    private async Task<HttpAnswer> RouteAsync(string path, CancellationToken cancel)
    {
        switch (path)
        {
            case "/metrics":
                _metrics.RecordMembers(View());
                _metrics.RecordRuntime();
                if (_runtime.System.Scheduler is ActorLoopScheduler loop)
                {
                    _metrics.RecordActorLoop(loop.Stalls);
                    _metrics.RecordSuspensions(loop.Suspensions);
                }
                return new HttpAnswer(200, "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8.GetBytes(_metrics.Registry.Export()));
            case "/healthz":
                return Answer(Probes.Health(_runtime.System.WhenTerminated.IsCompleted, await SystemdService.PingAsync(_runtime)));
            case "/readyz":
                return Answer(Probes.Readiness(View(), _metrics.LinkDown, _metrics.FenceBroken));
            case "/status":
                return await StatusAsync(cancel);
            case "/reload":
                // Read from memory, never through an actor: `actorvip reload` waits on it while the node applies the reload.
                return new HttpAnswer(200, "application/json", Encoding.UTF8.GetBytes(_reloads.Report.ToJson()));
            default:
                return HttpAnswer.Text(404, "not found: try /metrics, /healthz, /readyz, /status or /reload");
        }
    }

    private async Task<HttpAnswer> StatusAsync(CancellationToken cancel)
    {
        var view = View();
        try
        {
            var promises = await _runtime.System.ActorSelection($"/user/{VoterActor.Name}").Ask<VoterPromises>(GetPromises.Instance, AskTimeout, cancel);
            var local = await _observer.Ask<NodeObservations>(GetObservations.Instance, AskTimeout, cancel);
            var ready = Probes.Readiness(view, _metrics.LinkDown, _metrics.FenceBroken);
            var document = StatusDocument.Build(view, ready, promises.Promises, local, await PlacementAsync(cancel));
            return new HttpAnswer(200, "application/json", System.Text.Encoding.UTF8.GetBytes(document.ToJson()));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return HttpAnswer.Text(503, $"this node's voter or metrics actor did not answer within {AskTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Why each VIP is where it is, from the allocator (through this node's proxy, wherever the singleton runs); null when it
    /// does not answer in time (none placed yet, or it is moving): the status then shows everything else.
    /// </summary>
    private async Task<PlacementReport?> PlacementAsync(CancellationToken cancel)
    {
        try
        {
            var allocator = _runtime.System.ActorSelection($"/user/{VipAllocator.ProxyName}");
            return await allocator.Ask<PlacementReport>(GetPlacement.Instance, PlacementTimeout, cancel);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private static HttpAnswer Answer(ProbeVerdict verdict) => HttpAnswer.Text(verdict.Ok ? 200 : 503, verdict.Reason);

    public void Dispose() => _http.Dispose();
}
