namespace ActorVip.Node.Drivers;

/// <summary>The kernel side of load balancing; <paramref name="FollowMembers"/> off leaves the backends to the static list (tests).</summary>
public sealed record LoadBalancerDrivers(IIpvsDriver Ipvs, ISourceNat Nat, IHealthProbe Probe, bool FollowMembers = true);
