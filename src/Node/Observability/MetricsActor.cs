using ActorVip.Messages.Ownership;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;

namespace ActorVip.Node.Observability;

/// <summary>
/// Listens to this node's domain events on the event stream and keeps <see cref="NodeObservations"/> and the
/// Prometheus collectors up to date; answers <see cref="GetObservations"/> with a copy for `actorvip status`.
/// </summary>
public sealed class MetricsActor : ReceiveActor
{
    public const string Name = "metrics";

    public static readonly IReadOnlyList<Type> Events =
    [
        typeof(VipAcquired), typeof(VipReleased), typeof(LeaseRenewalAcked), typeof(LeaseRenewalsAcked), typeof(PromiseMoved), typeof(AnnouncementSent),
        typeof(LoadBalancerObserved), typeof(LoadBalancerStopped), typeof(LoadBalancerReconcileFailed), typeof(LinkObserved),
        typeof(Notify.HookFailed), typeof(FenceObserved),
    ];

    private readonly NodeObservations _state;
    private readonly NodeMetrics _metrics;

    public MetricsActor(NodeObservations state, NodeMetrics metrics)
    {
        _state = state;
        _metrics = metrics;
        Receive<GetObservations>(_ => Sender.Tell(_state.Copy()));
        Receive<VipsConfigured>(configured =>
        {
            _state.Configure(configured.Vips);
            _metrics.Configured(_state);
        });
        ReceiveAny(e =>
        {
            _state.Apply(e);
            _metrics.Record(e, _state);
        });
    }

    public static Props Props(NodeObservations state, NodeMetrics metrics) => Akka.Actor.Props.Create(() => new MetricsActor(state, metrics));

    protected override void PreStart()
    {
        _metrics.Initialize(_state);
        foreach (var type in Events) Context.System.EventStream.Subscribe(Self, type);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}

/// <summary>To the MetricsActor: a reload applied this VIP list (addresses without prefix), so `actorvip status` and the metrics show it.</summary>
public sealed record VipsConfigured(IReadOnlyList<string> Vips);

/// <summary>To the MetricsActor: answer with a copy of its <see cref="NodeObservations"/>.</summary>
public sealed record GetObservations
{
    public static readonly GetObservations Instance = new();
}
