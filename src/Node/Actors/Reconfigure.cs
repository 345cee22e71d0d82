using ActorVip.Node.Configuration;
using ActorVip.Ownership;

namespace ActorVip.Node.Actors;

/// <summary>
/// A reload to the node's agent (issue 14 §5; never on the wire): run with <paramref name="Settings"/> from now on (only its VIP
/// list differs from the running one), declare <paramref name="Declared"/>, and give up the VIPs of <paramref name="Dropped"/>
/// held here (removed, or changed and placed again).
/// </summary>
public sealed record Reconfigure(NodeSettings Settings, IReadOnlyList<VipSpec> Declared, IReadOnlyList<string> Dropped)
{
    /// <summary>
    /// The interfaces a reloaded VIP is on that no VIP was on before, as found by the reload: the agent watches their links and
    /// the fence guards their egress from now on. One of the new VIP interfaces missing here counts as down until its watch sees it.
    /// </summary>
    public IReadOnlyList<Drivers.InterfaceInfo> Links { get; init; } = [];

    /// <summary>
    /// The node's IPVS, which the reload that brought its first load-balanced service opened (a node that started without any opens
    /// none): the holders of VIPs granted from now on program their services with it. Null: unchanged.
    /// </summary>
    public Drivers.LoadBalancerDrivers? LoadBalancer { get; init; }
}

/// <summary>
/// The agent's answer to <see cref="Reconfigure"/>, once it applied it (declared the new list, guarded the new VIPs, gave up the dropped
/// ones): the reload it ends is then done, and `actorvip reload` may return.
/// </summary>
public sealed class Reconfigured
{
    public static readonly Reconfigured Instance = new();

    private Reconfigured()
    {
    }
}
