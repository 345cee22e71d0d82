using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Node.Cleanup;

/// <summary>This node's VIPs on its interface, with whatever prefix they were added with.</summary>
public sealed class LeftoverAddresses(string interfaceName, IReadOnlyList<VipAddress> vips) : ICleanupStep
{
    public IReadOnlyList<string> Run()
    {
        if (interfaceName.Length == 0 || vips.Count == 0) return [];
        using var links = new RtnetlinkLinks();
        // A vanished interface took its addresses with it.
        if (links.Find(interfaceName) is not { } link) return [];
        using var addresses = new RtnetlinkAddresses();
        var removed = new List<string>();
        var present = addresses.List(link.Index).Where(a => vips.Any(v => v.Address.Equals(a.Address))).ToList();
        // systemd runs cleanup after every stop: the host's own address, given as a VIP by mistake, must survive it.
        if (VipCopies.Foreign(present, vips).FirstOrDefault() is { } foreign)
            throw new IOException($"left {foreign.Address}/{foreign.PrefixLength} on {link.Name}: {VipCopies.Describe(foreign, link.Name)}");
        foreach (var found in present.Where(VipCopies.IsOurs))
        {
            var vip = new VipAddress(found.Address, found.PrefixLength);
            addresses.Remove(link, vip);
            removed.Add($"removed {vip} from {link.Name}");
        }
        return removed;
    }
}
