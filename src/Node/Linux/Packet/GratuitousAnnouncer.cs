using System.Net.NetworkInformation;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.Linux.Packet;

/// <summary>
/// Announces VIPs with gratuitous ARP (IPv4: a request and a reply back to back) or an unsolicited neighbour
/// advertisement (IPv6). One packet socket serves every interface: it is opened here, so interface indexes
/// belong to the network namespace current at construction (a socket opened lazily would land in whatever
/// namespace the first caller's thread is in), and a recreated interface needs no stale socket dropped. Thread-safe.
/// </summary>
public sealed class GratuitousAnnouncer : IAnnouncer, IDisposable
{
    private readonly PacketSocket _socket = PacketSocket.Open();
    private readonly byte[] _frame = new byte[Math.Max(GratuitousArp.FrameLength, UnsolicitedNeighborAdvertisement.FrameLength)];
    private readonly object _gate = new();

    public void Announce(InterfaceInfo link, VipAddress vip)
    {
        var mac = link.Mac.GetAddressBytes();
        if (mac.Length != 6)
            throw new PacketException(0, $"cannot announce {vip.Address} on {link.Name}: it has no Ethernet MAC ({Describe(link.Mac)}); " +
                "use an Ethernet interface.");
        lock (_gate)
        {
            if (vip.IsIPv6)
            {
                Send(link, UnsolicitedNeighborAdvertisement.Write(_frame, mac, vip.Address));
            }
            else
            {
                Send(link, GratuitousArp.Write(_frame, mac, vip.Address, ArpOperation.Request));
                Send(link, GratuitousArp.Write(_frame, mac, vip.Address, ArpOperation.Reply));
            }
        }
    }

    private void Send(InterfaceInfo link, int length) => _socket.Send(link.Index, link.Name, _frame.AsSpan(0, length));

    private static string Describe(PhysicalAddress mac) => mac.GetAddressBytes().Length == 0 ? "none" : mac.ToString();

    public void Dispose() => _socket.Dispose();
}
