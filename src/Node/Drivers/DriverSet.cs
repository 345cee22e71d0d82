namespace ActorVip.Node.Drivers;

/// <summary>The kernel side of one node: real Linux drivers in production, recorders in simulations.</summary>
public sealed record DriverSet(ILinkDriver Links, IAddressDriver Addresses, IAnnouncer Announcer, IFence? Fence, LoadBalancerDrivers? LoadBalancer = null);
