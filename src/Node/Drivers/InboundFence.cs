using ActorVip.Node.Configuration;

namespace ActorVip.Node.Drivers;

/// <summary>
/// Which packets to an unowned VIP the fence's inbound rule drops. A master that is also a directroute or tunnel
/// backend holds the VIP on lo or tunl0 and must accept what the director forwards to it: tunnel packets arrive
/// decapsulated on tunl0, so the rule keeps to the VIP interfaces (every interface a VIP of this node lives on: one rule
/// each); directroute frames arrive on the VIP interface itself, indistinguishable from a client's, so there is no inbound
/// rule and the ARP fence alone keeps clients off.
/// The rule is one for all VIPs (a set), so the mode of any service of any VIP decides it: directroute anywhere means
/// no inbound rule, else tunnel anywhere keeps it to the VIP interfaces.
/// </summary>
/// <param name="OnlyInterfaces">The interfaces the inbound rule matches (iifname), one rule each; null: every interface.</param>
public sealed record InboundFence(bool Enabled, IReadOnlyList<string>? OnlyInterfaces)
{
    public static InboundFence All { get; } = new(true, null);

    public static InboundFence For(LoadBalancerSettings lb, string vipInterface) =>
        !lb.Enabled ? All : For([lb.Method], [vipInterface]);

    /// <summary>
    /// For the forwarding methods of every service of every VIP, on every interface a VIP lives on (<paramref name="interfaces"/>: those,
    /// and the ones VIPs lived on since the start, which a reload keeps guarded).
    /// </summary>
    public static InboundFence For(NodeSettings settings, IReadOnlyList<string>? interfaces = null) =>
        For(settings.Services.Select(p => p.Service.Method).ToList(), interfaces ?? settings.VipInterfaces);

    private static InboundFence For(IReadOnlyCollection<ForwardingMethod> methods, IReadOnlyList<string> vipInterfaces) =>
        methods.Contains(ForwardingMethod.DirectRoute) ? new InboundFence(false, null)
        : methods.Contains(ForwardingMethod.Tunnel) ? new InboundFence(true, vipInterfaces)
        : All;

    /// <summary>The same rule: the interfaces in any order (one rule each).</summary>
    public bool Equals(InboundFence? other) =>
        other is not null && Enabled == other.Enabled &&
        (OnlyInterfaces is null
            ? other.OnlyInterfaces is null
            : other.OnlyInterfaces is not null && OnlyInterfaces.ToHashSet(StringComparer.Ordinal).SetEquals(other.OnlyInterfaces));

    public override int GetHashCode() => HashCode.Combine(Enabled, OnlyInterfaces?.Count);
}
