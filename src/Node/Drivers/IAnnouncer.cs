using ActorVip.Node.Configuration;

namespace ActorVip.Node.Drivers;

/// <summary>Tells the segment that the VIP now lives at this interface's MAC.</summary>
public interface IAnnouncer
{
    /// <summary>IPv4: one gratuitous ARP request and one gratuitous ARP reply. IPv6: one unsolicited neighbour advertisement.</summary>
    void Announce(InterfaceInfo link, VipAddress vip);
}
