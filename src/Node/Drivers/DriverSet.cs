namespace ActorVip.Node.Drivers;

/// <summary>The kernel side of one node: real Linux drivers in production, recorders in simulations.</summary>
/// <param name="LinkWatcher">Follows the VIP interface (null in simulations: the link is taken as always up).</param>
public sealed record DriverSet(ILinkDriver Links, IAddressDriver Addresses, IAnnouncer Announcer, IFence? Fence, LoadBalancerDrivers? LoadBalancer = null,
    ILinkWatcher? LinkWatcher = null);
