using ActorVip.Node.Configuration;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// Which packets to an unowned VIP the fence's inbound rule drops. A master that is also a directroute or tunnel
/// backend holds the VIP on lo or tunl0 and must accept what the director forwards to it: tunnel packets arrive
/// decapsulated on tunl0, so the rule keeps to the VIP interface; directroute frames arrive on the VIP interface
/// itself, indistinguishable from a client's, so there is no inbound rule and the ARP fence alone keeps clients off.
/// </summary>
public sealed record InboundFence(bool Enabled, string? OnlyInterface)
{
    public static InboundFence All { get; } = new(true, null);

    public static InboundFence For(LoadBalancerSettings lb, string vipInterface) =>
        !lb.Enabled ? All : lb.Method switch
        {
            ForwardingMethod.DirectRoute => new InboundFence(false, null),
            ForwardingMethod.Tunnel => new InboundFence(true, vipInterface),
            _ => All,
        };
}
