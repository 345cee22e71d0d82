using System.Net.NetworkInformation;
using ActorVip.Messages.Model;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.Linux.Packet;

/// <summary>
/// Announces VIPs with gratuitous ARP (IPv4: a request and a reply back to back) or an unsolicited neighbour
/// advertisement (IPv6) over one packet socket per interface, opened on first use. Thread-safe.
/// </summary>
public sealed class GratuitousAnnouncer : IAnnouncer, IDisposable
{
    private readonly Dictionary<int, PacketSocket> _sockets = new();
    private readonly byte[] _frame = new byte[Math.Max(GratuitousArp.FrameLength, UnsolicitedNeighborAdvertisement.FrameLength)];
    private readonly object _gate = new();

    public void Announce(InterfaceInfo link, VipAddress vip)
    {
        var mac = link.Mac.GetAddressBytes();
        if (mac.Length != 6)
            throw new PacketException(0, $"cannot announce {vip.Address} on {link.Name}: it has no Ethernet MAC ({Describe(link.Mac)}); use an Ethernet interface.");
        lock (_gate)
        {
            var socket = SocketFor(link);
            try
            {
                if (vip.IsIPv6)
                {
                    socket.Send(_frame.AsSpan(0, UnsolicitedNeighborAdvertisement.Write(_frame, mac, vip.Address)));
                }
                else
                {
                    socket.Send(_frame.AsSpan(0, GratuitousArp.Write(_frame, mac, vip.Address, ArpOperation.Request)));
                    socket.Send(_frame.AsSpan(0, GratuitousArp.Write(_frame, mac, vip.Address, ArpOperation.Reply)));
                }
            }
            catch (PacketException)
            {
                // The interface may have gone or been recreated; the next announcement opens afresh.
                _sockets.Remove(link.Index);
                socket.Dispose();
                throw;
            }
        }
    }

    private PacketSocket SocketFor(InterfaceInfo link)
    {
        if (!_sockets.TryGetValue(link.Index, out var socket))
        {
            socket = PacketSocket.Open(link.Index, link.Name);
            _sockets[link.Index] = socket;
        }
        return socket;
    }

    private static string Describe(PhysicalAddress mac) => mac.GetAddressBytes().Length == 0 ? "none" : mac.ToString();

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets.Values) socket.Dispose();
            _sockets.Clear();
        }
    }
}
