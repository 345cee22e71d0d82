using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Node.Cleanup;

/// <summary>
/// This node's VIPs on every interface a VIP of it lives on (the node's and each VIP's own), with whatever prefix they were
/// added with: a VIP moved to another interface may have left its copy on the old one.
/// </summary>
public sealed class LeftoverAddresses(IReadOnlyList<string> interfaceNames, IReadOnlyList<VipAddress> vips) : ICleanupStep
{
    public IReadOnlyList<string> Run()
    {
        if (interfaceNames.Count == 0 || vips.Count == 0) return [];
        using var links = new RtnetlinkLinks();
        using var addresses = new RtnetlinkAddresses();
        var removed = new List<string>();
        foreach (var name in interfaceNames.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
        {
            // A vanished interface took its addresses with it.
            if (links.Find(name) is not { } link) continue;
            var present = addresses.List(link.Index).Where(a => vips.Any(v => v.Address.Equals(a.Address))).ToList();
            // systemd runs cleanup after every stop: the host's own address, given as a VIP by mistake, must survive it.
            if (VipCopies.Foreign(present, vips).FirstOrDefault() is { } foreign)
            {
                throw new LeftAloneException($"left {foreign.Address}/{foreign.PrefixLength} on {link.Name}: {VipCopies.Describe(foreign, link.Name)}",
                    removed);
            }
            foreach (var found in present.Where(VipCopies.IsOurs))
            {
                var vip = new VipAddress(found.Address, found.PrefixLength);
                addresses.Remove(link, vip);
                removed.Add($"removed {vip} from {link.Name}");
            }
        }
        return removed;
    }
}
