using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>The IPVS table one VIP needs: pure, from its services, their backends and their health.</summary>
public static class LoadBalancerTable
{
    /// <summary>The service of the VIP for the node-wide settings: TCP VIP:port.</summary>
    public static IpvsServiceKey ServiceOf(IPAddress vip, LoadBalancerSettings lb) => IpvsServiceKey.Tcp(vip, (ushort)lb.Port);

    /// <summary>The table of the node-wide settings alone (<see cref="ServiceConfig.FromLoadBalancer"/>): one TCP service.</summary>
    public static IpvsTable Desired(IPAddress vip, LoadBalancerSettings lb, IEnumerable<Backend> backends, Func<Backend, bool> healthy) =>
        new([Service(vip, ServiceConfig.FromLoadBalancer(lb), backends, healthy)]);

    /// <summary>
    /// One service of the VIP (protocol and port, or its firewall mark) with its scheduler, flags and persistence. Local:
    /// the owner itself (the VIP as a local destination on the service's port, so the packet is delivered unchanged to a
    /// server listening there). Every other mode: each backend of the VIP's family with that forwarding method, weight 1
    /// while healthy, and when failed weight 0 or left out (<see cref="HealthSettings.OnFailure"/>). Backends keep their
    /// given order: sorting 500 of them in ipvsadm's order cost more than the kernel change (docs/BENCHMARKS.md).
    /// </summary>
    public static IpvsService Service(IPAddress vip, ServiceConfig service, IEnumerable<Backend> backends, Func<Backend, bool> healthy)
    {
        var key = service.KeyFor(vip);
        if (service.Method == ForwardingMethod.Local)
            return new IpvsService(key, service.IpvsSettings, new IpvsDestination(vip, (ushort)service.Port, ForwardingMethod.Local, 1));

        var destinations = new List<IpvsDestination>();
        foreach (var backend in backends.Where(b => b.Address.AddressFamily == vip.AddressFamily).Distinct())
        {
            var up = healthy(backend);
            if (!up && service.Health.OnFailure == HealthFailureAction.Remove) continue;
            destinations.Add(new IpvsDestination(backend.Address, backend.Port, service.Method, up ? 1 : 0));
        }
        return new IpvsService(key, service.IpvsSettings, destinations);
    }
}
