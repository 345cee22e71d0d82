using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Linux.Packet;

/// <summary>The ARP opcode (RFC 826 ar$op).</summary>
public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}

/// <summary>
/// Encodes a gratuitous ARP frame (RFC 826 layout, RFC 5227 announcement): Ethernet broadcast,
/// sender MAC = interface MAC, sender IP = target IP = VIP.
/// Target MAC: zero in the request, as RFC 5227 2.3 asks (keepalived and `arping -U` put ff:ff:.., receivers ignore it);
/// the interface MAC in the reply, as iputils `arping -A` sends, because Linux treats a reply as gratuitous only then (arp_is_garp).
/// </summary>
public static class GratuitousArp
{
    public const int FrameLength = 42; // 14 Ethernet + 28 ARP; the NIC pads to the 60-byte minimum
    public const ushort EtherTypeArp = 0x0806;
    private const ushort HardwareEthernet = 1;
    private const ushort ProtocolIPv4 = 0x0800;

    public static int Write(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress vip, ArpOperation operation)
    {
        if (mac.Length != 6) throw new ArgumentException($"An Ethernet MAC has 6 bytes, not {mac.Length}.", nameof(mac));
        if (vip.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"{vip} is not an IPv4 address.", nameof(vip));
        frame = frame[..FrameLength];

        frame[..6].Fill(0xFF);                                             // destination: broadcast
        mac.CopyTo(frame[6..]);                                            // source
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);

        var arp = frame[14..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, HardwareEthernet);     // ar$hrd
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], ProtocolIPv4);    // ar$pro
        arp[4] = 6;                                                        // ar$hln
        arp[5] = 4;                                                        // ar$pln
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], (ushort)operation);// ar$op
        mac.CopyTo(arp[8..]);                                              // ar$sha
        vip.TryWriteBytes(arp[14..], out _);                               // ar$spa
        if (operation == ArpOperation.Reply) mac.CopyTo(arp[18..]);        // ar$tha
        else arp.Slice(18, 6).Clear();
        vip.TryWriteBytes(arp[24..], out _);                               // ar$tpa
        return FrameLength;
    }
}
