using ActorVip.Messages.Ownership;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Runtime;

namespace ActorVip.Node.Observability;

/// <summary>
/// The Prometheus collectors of one node (docs/OBSERVABILITY.md lists them) in a registry of its own.
/// Updated only from events.
/// </summary>
public sealed class NodeMetrics
{
    private readonly MetricRegistry.Gauge _owned;
    private readonly MetricRegistry.Counter _ownershipChanges;
    private readonly MetricRegistry.Histogram _renew;
    private readonly MetricRegistry.Counter _failovers;
    private readonly MetricRegistry.Counter _announcements;
    private readonly MetricRegistry.Gauge _ipvsServices;
    private readonly MetricRegistry.Gauge _ipvsBackends;
    private readonly MetricRegistry.Counter _reconcileErrors;
    private readonly MetricRegistry.Counter _hookFailures;
    private readonly MetricRegistry.Gauge _members;
    private readonly MetricRegistry.Counter _loopStalls;
    private readonly MetricRegistry.Gauge _loopLateness;
    private readonly MetricRegistry.Counter _suspensions;
    private readonly MetricRegistry.Counter _allocated;
    private readonly MetricRegistry.Counter _collections;
    private readonly MetricRegistry.Gauge _linkUp;
    private volatile string? _linkDown;
    private readonly MetricRegistry.Gauge _fenceOk;
    private volatile string? _fenceBroken;
    /// <summary>The VIP interfaces that cannot serve, and why (only the metrics actor writes it; the probes read <see cref="_linkDown"/>).</summary>
    private readonly Dictionary<string, string> _linksDown = new(StringComparer.Ordinal);

    public NodeMetrics(MetricRegistry registry)
    {
        Registry = registry;
        _owned = registry.CreateGauge("actorvip_vip_owned", "1 while this node holds the VIP (address up, lease valid), else 0.", "vip");
        _ownershipChanges = registry.CreateCounter("actorvip_ownership_changes_total", "VIPs this node acquired or released.", "vip", "change");
        _renew = registry.CreateHistogram("actorvip_lease_renew_seconds", "Time from sending a lease renewal to the ack that completed a majority.",
            [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.6], "vip");
        _failovers = registry.CreateCounter("actorvip_failovers_total", "Times this node took over a VIP that another node held before (as " +
            "this node's voter saw it).", "vip");
        _announcements = registry.CreateCounter("actorvip_announcements_total", "Gratuitous ARP request+reply pairs or unsolicited " +
            "neighbour advertisements sent.", "vip");
        _ipvsServices = registry.CreateGauge("actorvip_ipvs_services", "IPVS services this node programs.");
        _ipvsBackends = registry.CreateGauge("actorvip_ipvs_backends", "Backends of the IPVS services this node programs, by health-check verdict.", "health");
        _reconcileErrors = registry.CreateCounter("actorvip_reconcile_errors_total", "IPVS reconciliations that failed (each is retried).", "vip");
        _hookFailures = registry.CreateCounter("actorvip_hook_failures_total", "Notify hook runs that failed: non-zero exit, timeout, or not started.",
            "vip", "event");
        _members = registry.CreateGauge("actorvip_cluster_members", "Cluster members by status, as this node sees them.", "status");
        _loopStalls = registry.CreateCounter("actorvip_actor_loop_stalls_total",
            "Times the actor loop started due work later than half the lease renew-interval: a call that blocks the loop, or a " +
                "stopped or CPU-starved process.");
        _loopLateness = registry.CreateGauge("actorvip_actor_loop_longest_lateness_seconds",
            "The longest the actor loop started due work late since the node started.");
        _suspensions = registry.CreateCounter("actorvip_host_suspensions_total",
            "Times the host was suspended while the node ran (CLOCK_BOOTTIME advanced, CLOCK_MONOTONIC did not).");
        _allocated = registry.CreateCounter("actorvip_runtime_allocated_bytes_total",
            "Bytes the node's .NET runtime allocated since start: the work behind idle CPU (docs/BENCHMARKS.md reads it per second).");
        _collections = registry.CreateCounter("actorvip_runtime_gc_collections_total", "Garbage collections since start, by generation.",
            "generation");
        _linkUp = registry.CreateGauge("actorvip_link_up",
            "1 while the VIP interface exists, is up and has carrier (the node may hold the VIPs on it), else 0.",
            "interface");
        _fenceOk = registry.CreateGauge("actorvip_fence_ok",
            $"0 while the kernel fence can be neither refreshed nor installed again (the node holds no VIP and retries every " +
                $"{Actors.NodeAgent.EligibilityResend.TotalSeconds:0} s), else 1.");
        _fenceOk.Set(1);
        _ipvsBackends.Set(0, "healthy");
        _ipvsBackends.Set(0, "unhealthy");
    }

    public MetricRegistry Registry { get; }

    /// <summary>
    /// Why a VIP interface cannot carry its VIPs now (gone, down, no carrier; every such interface), or null while all can; read
    /// by /readyz on another thread.
    /// </summary>
    public string? LinkDown => _linkDown;

    /// <summary>Why the kernel fence is broken (the node holds no VIP), or null while it is not; read by /readyz on another thread.</summary>
    public string? FenceBroken => _fenceBroken;

    /// <summary>Starts every VIP's series at 0 and the member gauge at zeros, so that a scrape sees them before any event.</summary>
    public void Initialize(NodeObservations state)
    {
        foreach (var vip in state.Vips)
        {
            _owned.Set(0, vip);
            _failovers.Touch(vip);
        }
        foreach (var status in ClusterView.Statuses) _members.Set(0, status);
    }

    /// <summary>
    /// A reload's VIP list: a VIP new to the node gets its series (0 until it is held, as at start); one it still holds stays 1. A
    /// removed VIP keeps its series, at 0 once released, until the process restarts (the registry removes no series).
    /// </summary>
    public void Configured(NodeObservations state)
    {
        foreach (var vip in state.Vips)
        {
            _owned.Set(state.Held.ContainsKey(vip) ? 1 : 0, vip);
            _failovers.Touch(vip);
        }
    }

    /// <summary>Updates the collectors for <paramref name="e"/>; <paramref name="state"/> has already applied it.</summary>
    public void Record(object e, NodeObservations state)
    {
        switch (e)
        {
            case VipAcquired a when a.Node.Value == state.Self:
                _owned.Set(1, a.Vip);
                _ownershipChanges.Inc(a.Vip, "acquired");
                break;
            case VipReleased r when r.Node.Value == state.Self:
                _owned.Set(state.Held.ContainsKey(r.Vip) ? 1 : 0, r.Vip);
                _ownershipChanges.Inc(r.Vip, "released");
                break;
            case LeaseRenewalAcked l:
                _renew.Observe(l.Latency.TotalSeconds, l.Vip);
                break;
            case LeaseRenewalsAcked batch:
                foreach (var l in batch.Items) _renew.Observe(l.Latency.TotalSeconds, l.Vip);
                break;
            case PromiseMoved m when m.To.Value == state.Self && m.From is { } from && from.Value != state.Self:
                _failovers.Inc(m.Vip);
                break;
            case AnnouncementSent s:
                _announcements.Inc(s.Vip);
                break;
            case LinkObserved l:
                _linkUp.Set(l.CanServe ? 1 : 0, l.Interface);
                // Per VIP interface: one back up does not hide another still down.
                if (l.CanServe) _linksDown.Remove(l.Interface);
                else _linksDown[l.Interface] = l.Reason;
                _linkDown = _linksDown.Count == 0 ? null : string.Join("; ", _linksDown.Values);
                break;
            case FenceObserved f:
                _fenceOk.Set(f.Ok ? 1 : 0);
                _fenceBroken = f.Ok ? null : f.Reason;
                break;
            case LoadBalancerReconcileFailed f:
                _reconcileErrors.Inc(f.Vip);
                break;
            case Notify.HookFailed h:
                _hookFailures.Inc(h.Vip, h.Event);
                break;
            case LoadBalancerObserved or LoadBalancerStopped:
                _ipvsServices.Set(state.IpvsServices);
                _ipvsBackends.Set(state.Backends(healthy: true), "healthy");
                _ipvsBackends.Set(state.Backends(healthy: false), "unhealthy");
                break;
        }
    }

    /// <summary>Sets the runtime's allocation and collection counts (called before each scrape).</summary>
    public void RecordRuntime()
    {
        _allocated.SetTotal(GC.GetTotalAllocatedBytes());
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            _collections.SetTotal(GC.CollectionCount(generation), generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sets the host's suspensions the actor loop noticed (called before each scrape).</summary>
    public void RecordSuspensions(long count) => _suspensions.SetTotal(count);

    /// <summary>Sets the actor loop's stall count and longest lateness (called before each scrape).</summary>
    public void RecordActorLoop(LoopStalls stalls)
    {
        _loopStalls.SetTotal(stalls.Count);
        _loopLateness.Set(stalls.LongestLateness.TotalSeconds);
    }

    /// <summary>Sets the member gauge from the membership as seen now (called before each scrape).</summary>
    public void RecordMembers(ClusterView view)
    {
        foreach (var (status, count) in view.CountByStatus()) _members.Set(count, status);
    }
}
