using System.Net;

namespace ActorVip.Node.Drivers;

/// <summary>
/// The kernel-side fence (docs/DESIGN.md, "The fence"): traffic and ARP/NA for a VIP pass only while the VIP
/// is in the fence's owned set, whose elements time out on their own if the process stops refreshing.
/// </summary>
public interface IFence : IDisposable
{
    /// <summary>Creates (or re-creates) the fence table guarding these VIPs, with nothing owned.</summary>
    void Install(IReadOnlyCollection<IPAddress> vips);

    /// <summary>
    /// Re-creates the fence guarding <paramref name="vips"/> with <paramref name="owned"/> let through as the fence's table is
    /// replaced: a reload that adds VIPs (issue 14 §5) must not close the VIPs held meanwhile. This default does it in two steps
    /// (test fences); the kernel's in one transaction.
    /// </summary>
    void Install(IReadOnlyCollection<IPAddress> vips, IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> owned)
    {
        Install(vips);
        if (owned.Count > 0) Own(owned);
    }

    /// <summary>
    /// From the next install on, the fence's shape: the inbound rule <paramref name="inbound"/> and a chain on the egress of each of
    /// <paramref name="egressInterfaces"/> (the frames the node itself sends there). A reload changes it when it brings a VIP on an
    /// interface no VIP was on, or services whose forwarding method changes the inbound rule (directroute, tunnel); the start's comes
    /// with the fence. A fence without such rules (test fences) ignores it.
    /// </summary>
    void Reshape(InboundFence inbound, IReadOnlyList<string> egressInterfaces)
    {
    }

    /// <summary>Why the last install left the egress out (a kernel without the hook, an interface gone meanwhile); null when it did not.</summary>
    string? EgressWarning => null;

    /// <summary>Lets the VIP through for <paramref name="remaining"/> from now (delete plus add in one batch).</summary>
    void Own(IPAddress vip, TimeSpan remaining) => Own([(vip, remaining)]);

    /// <summary>
    /// Lets each VIP through for its own remaining time from now, in as few kernel transactions as fit: the agent refreshes
    /// every VIP it holds this way once per renewal round. A VIP whose time has run out (zero or less) is stopped instead.
    /// </summary>
    void Own(IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> vips);

    /// <summary>Stops the VIP at once.</summary>
    void Disown(IPAddress vip);

    /// <summary>Stops every VIP of <paramref name="vips"/> at once, in as few kernel transactions as fit (a graceful stop of many VIPs).</summary>
    void Disown(IReadOnlyList<IPAddress> vips);

    /// <summary>Deletes the fence table as a whole.</summary>
    void Remove();
}
