using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Ipvs;

namespace ActorVip.Node.Cleanup;

/// <summary>
/// IPVS services whose address is one of this node's VIPs (any protocol and port), and the firewall-mark services its VIPs
/// declare; nobody else's.
/// </summary>
public sealed class LeftoverIpvsServices(IReadOnlyList<VipAddress> vips, IReadOnlyCollection<IpvsServiceKey>? marks = null) : ICleanupStep
{
    public IReadOnlyList<string> Run()
    {
        // Without the module loaded no service can exist; opening the family would load it for nothing.
        if (!File.Exists("/proc/net/ip_vs")) return [];
        using var client = IpvsClient.Open();
        var ours = new IpvsOwnership(vips.Select(v => new IPNetwork(v.Address, v.MaxPrefixLength)), marks);
        var removals = IpvsTable.Empty.ChangesFrom(client.List(), ours.Owns);
        if (removals.Count == 0) return [];
        client.Execute(removals);
        return removals.OfType<DeleteService>().Select(d => $"removed IPVS service {d.Service}").ToList();
    }
}
