using System.Net;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>IPVS services of our VIPs that nobody holds: left by a killed run at start, or by a failed removal at stop.</summary>
public static class StaleServices
{
    /// <returns>The services deleted.</returns>
    public static IReadOnlyList<IpvsServiceKey> Remove(IIpvsDriver ipvs, IReadOnlyCollection<IPAddress> vips)
    {
        var stale = ipvs.List().Services.Select(s => s.Key).Where(k => k.Address is { } a && vips.Contains(a)).ToList();
        ipvs.Execute(stale.Select(k => (IpvsOperation)new DeleteService(k)).ToList());
        return stale;
    }
}
