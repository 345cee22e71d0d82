using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>The IPVS table one VIP needs: pure, from the settings, the backends and their health.</summary>
public static class LoadBalancerTable
{
    /// <summary>The service of the VIP: TCP VIP:port with the configured scheduler.</summary>
    public static IpvsServiceKey ServiceOf(IPAddress vip, LoadBalancerSettings lb) => IpvsServiceKey.Tcp(vip, (ushort)lb.Port);

    /// <summary>
    /// One TCP service VIP:port. Local: the owner itself (the VIP as a local destination, so the packet is delivered
    /// unchanged to a server listening on the VIP port). Every other mode: each backend with that forwarding method,
    /// weight 1 while healthy, and when failed weight 0 or left out (<see cref="HealthSettings.OnFailure"/>).
    /// Backends keep their given order: sorting 500 of them in ipvsadm's order cost more than the kernel change (docs/BENCHMARKS.md).
    /// </summary>
    public static IpvsTable Desired(IPAddress vip, LoadBalancerSettings lb, IEnumerable<Backend> backends, Func<Backend, bool> healthy)
    {
        var settings = new IpvsServiceSettings(lb.Scheduler);
        var key = ServiceOf(vip, lb);
        if (lb.Method == ForwardingMethod.Local)
            return new IpvsTable([new IpvsService(key, settings, new IpvsDestination(vip, (ushort)lb.Port, ForwardingMethod.Local, 1))]);

        var destinations = new List<IpvsDestination>();
        foreach (var backend in backends.Where(b => b.Address.AddressFamily == vip.AddressFamily).Distinct())
        {
            var up = healthy(backend);
            if (!up && lb.HealthCheck.OnFailure == HealthFailureAction.Remove) continue;
            destinations.Add(new IpvsDestination(backend.Address, backend.Port, lb.Method, up ? 1 : 0));
        }
        return new IpvsTable([new IpvsService(key, settings, destinations)]);
    }
}
