using ActorVip.Messages.Ownership;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Observability;

/// <summary>
/// What this node holds, from its own events: each held VIP's epoch, and per balanced VIP the IPVS table it programs
/// and its backends' health. Pure; the MetricsActor feeds it and `actorvip status` reads a copy.
/// </summary>
public sealed class NodeObservations
{
    private readonly Dictionary<string, long> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoadBalancerObserved> _balanced = new(StringComparer.Ordinal);

    public NodeObservations(string self, IEnumerable<string> vips)
    {
        Self = self;
        Vips = vips.ToList();
    }

    public string Self { get; }

    /// <summary>The configured VIPs (addresses without prefix), in configuration order; a reload replaces them (<see cref="Configure"/>).</summary>
    public IReadOnlyList<string> Vips { get; private set; }

    /// <summary>
    /// The VIP list a reload applied. What is held stays as the events said: a removed VIP leaves <see cref="Held"/> with its
    /// release, as always.
    /// </summary>
    public void Configure(IEnumerable<string> vips) => Vips = vips.ToList();

    /// <summary>VIP to the epoch this node holds it at.</summary>
    public IReadOnlyDictionary<string, long> Held => _held;

    /// <summary>VIP to what this node last programmed for it.</summary>
    public IReadOnlyDictionary<string, LoadBalancerObserved> Balanced => _balanced;

    public int IpvsServices => _balanced.Values.Sum(b => b.Table.Count);

    public int Backends(bool healthy) => _balanced.Values.Sum(b => b.Backends.Count(h => h.Healthy == healthy));

    public void Apply(object e)
    {
        switch (e)
        {
            case VipAcquired a when a.Node.Value == Self:
                _held[a.Vip] = a.Epoch;
                break;
            case VipReleased r when r.Node.Value == Self && _held.TryGetValue(r.Vip, out var epoch) && epoch == r.Epoch:
                _held.Remove(r.Vip);
                break;
            case LoadBalancerObserved o:
                _balanced[o.Vip] = o;
                break;
            case LoadBalancerStopped s:
                _balanced.Remove(s.Vip);
                break;
        }
    }

    /// <summary>A copy that the caller may read on another thread.</summary>
    public NodeObservations Copy()
    {
        var copy = new NodeObservations(Self, Vips);
        foreach (var (vip, epoch) in _held) copy._held[vip] = epoch;
        foreach (var (vip, observed) in _balanced) copy._balanced[vip] = observed;
        return copy;
    }
}
