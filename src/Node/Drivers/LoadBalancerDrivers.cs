namespace ActorVip.Node.Drivers;

/// <summary>The kernel side of load balancing; <paramref name="FollowMembers"/> off leaves the backends to the static list (tests).</summary>
public sealed record LoadBalancerDrivers(IIpvsDriver Ipvs, ISourceNat Nat, IHealthProbes Probes, bool FollowMembers = true)
{
    /// <summary>One probe answers every service's checks (simulations and tests).</summary>
    public LoadBalancerDrivers(IIpvsDriver ipvs, ISourceNat nat, IHealthProbe probe, bool FollowMembers = true)
        : this(ipvs, nat, new SingleProbe(probe), FollowMembers)
    {
    }
}
