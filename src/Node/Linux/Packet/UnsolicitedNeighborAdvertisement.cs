using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Linux.Packet;

/// <summary>
/// Encodes an unsolicited neighbour advertisement (RFC 4861 4.4, 7.2.6) in an Ethernet frame: from the VIP to
/// all-nodes ff02::1, hop limit 255, Router 0, Solicited 0, Override 1, with the target link-layer address option,
/// the same fields the kernel itself sends with ndisc_notify.
/// </summary>
public static class UnsolicitedNeighborAdvertisement
{
    public const int FrameLength = 86; // 14 Ethernet + 40 IPv6 + 24 NA + 8 option
    public const ushort EtherTypeIPv6 = 0x86DD;
    private const int IcmpLength = 32;
    private const byte NextHeaderIcmpv6 = 58;
    private const byte TypeNeighborAdvertisement = 136;
    private const uint FlagOverride = 0x2000_0000; // R=0x8000_0000, S=0x4000_0000, O=0x2000_0000
    private const byte OptionTargetLinkLayerAddress = 2;

    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    public static int Write(Span<byte> frame, ReadOnlySpan<byte> mac, IPAddress vip)
    {
        if (mac.Length != 6) throw new ArgumentException($"An Ethernet MAC has 6 bytes, not {mac.Length}.", nameof(mac));
        if (vip.AddressFamily != AddressFamily.InterNetworkV6) throw new ArgumentException($"{vip} is not an IPv6 address.", nameof(vip));
        frame = frame[..FrameLength];
        frame.Clear();

        // Ethernet: the all-nodes group maps to 33:33:00:00:00:01 (RFC 2464 7).
        frame[0] = 0x33; frame[1] = 0x33; frame[5] = 0x01;
        mac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeIPv6);

        var ip = frame[14..54];
        ip[0] = 0x60;                                                 // version 6, traffic class 0, flow label 0
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], IcmpLength);   // payload length
        ip[6] = NextHeaderIcmpv6;
        ip[7] = 255;                                                  // hop limit: receivers drop NDP with any other
        vip.TryWriteBytes(ip[8..], out _);
        AllNodes.TryWriteBytes(ip[24..], out _);

        var icmp = frame[54..];
        icmp[0] = TypeNeighborAdvertisement;                          // code 0, checksum below
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], FlagOverride);
        vip.TryWriteBytes(icmp[8..], out _);                          // target address
        icmp[24] = OptionTargetLinkLayerAddress;
        icmp[25] = 1;                                                 // option length in units of 8 bytes
        mac.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Icmpv6(vip, AllNodes, icmp));
        return FrameLength;
    }
}
