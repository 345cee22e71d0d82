using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Node.Cleanup;

/// <summary>
/// Tells ActorVip's copies of a VIP from the host's own addresses. ActorVip adds every VIP with preferred lifetime 0
/// (IAddressDriver.Add), which the kernel marks deprecated, so a copy a killed run left is deprecated; an address the
/// host was given (by hand, DHCP, ifupdown, networkd) is preferred for some time or forever, and removing it would cut
/// the host off. (With a valid lifetime of forever the kernel reports the preferred lifetime as forever too, so the
/// flag is what tells.)
/// </summary>
public static class VipCopies
{
    public static bool IsOurs(InterfaceAddress address) => address.IsDeprecated || address.PreferredSeconds == 0;

    /// <summary>The addresses among <paramref name="addresses"/> that are one of <paramref name="vips"/> and that ActorVip did not add.</summary>
    public static IReadOnlyList<InterfaceAddress> Foreign(IEnumerable<InterfaceAddress> addresses, IEnumerable<VipAddress> vips)
    {
        var wanted = vips.Select(v => v.Address).ToList();
        return addresses.Where(a => wanted.Any(v => v.Equals(a.Address)) && !IsOurs(a)).ToList();
    }

    /// <summary>One line for an address that is the host's, not a VIP copy.</summary>
    public static string Describe(InterfaceAddress address, string interfaceName) =>
        $"{address.Address} is an address of this host on {interfaceName} (not deprecated: ActorVip adds its VIPs with preferred lifetime 0, " +
        "which deprecates them), so it is not a VIP ActorVip may take or remove; choose an address no host has";
}
