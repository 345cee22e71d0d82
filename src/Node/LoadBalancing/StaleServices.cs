using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>IPVS services of our VIPs that nobody holds: left by a killed run at start, or by a failed removal at stop.</summary>
public static class StaleServices
{
    /// <param name="marks">The firewall-mark services the VIPs declare: they have no address to recognise them by.</param>
    /// <returns>The services deleted.</returns>
    /// <remarks>
    /// At stop an IpvsActor that outlived the release timeout may delete its service between our read and our delete,
    /// and the kernel refuses to delete what is gone: then read again and delete what is still there (once).
    /// </remarks>
    public static IReadOnlyList<IpvsServiceKey> Remove(IIpvsDriver ipvs, IReadOnlyCollection<IPAddress> vips, IReadOnlyCollection<IpvsServiceKey>? marks = null)
    {
        try
        {
            return RemoveOnce(ipvs, vips, marks);
        }
        catch (Exception)
        {
            return RemoveOnce(ipvs, vips, marks);
        }
    }

    private static IReadOnlyList<IpvsServiceKey> RemoveOnce(IIpvsDriver ipvs, IReadOnlyCollection<IPAddress> vips, IReadOnlyCollection<IpvsServiceKey>? marks)
    {
        var stale = ipvs.List().Services.Select(s => s.Key)
            .Where(k => k.Address is { } a ? vips.Contains(a) : marks?.Contains(k) == true)
            .ToList();
        ipvs.Execute(stale.Select(k => (IpvsOperation)new DeleteService(k)).ToList());
        return stale;
    }

    /// <summary>The keys of the firewall-mark services the configured VIPs declare.</summary>
    public static IReadOnlyCollection<IpvsServiceKey> MarksOf(NodeSettings settings) =>
        settings.Services.Where(p => p.Service.IsFirewallMark).Select(p => p.Service.KeyFor(p.Vip.Address)).ToHashSet();
}
