using System.Buffers.Binary;
using System.Net;

namespace ActorVip.Node.Linux.Packet;

/// <summary>The RFC 1071 one's-complement checksum, and its ICMPv6 form over the RFC 8200 8.1 pseudo-header.</summary>
public static class InternetChecksum
{
    /// <summary>The 32-bit running sum of 16-bit big-endian words (odd tail padded with zero).</summary>
    public static uint Sum(ReadOnlySpan<byte> data, uint sum = 0)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        return sum;
    }

    /// <summary>Folds the carries and complements.</summary>
    public static ushort Finish(uint sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>Checksum of an ICMPv6 message (its checksum field zero) from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static ushort Icmpv6(IPAddress source, IPAddress destination, ReadOnlySpan<byte> message)
    {
        Span<byte> pseudo = stackalloc byte[40];
        source.TryWriteBytes(pseudo, out _);
        destination.TryWriteBytes(pseudo[16..], out _);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo[32..], (uint)message.Length); // upper-layer packet length
        pseudo[39] = 58;                                                            // next header: ICMPv6
        return Finish(Sum(message, Sum(pseudo)));
    }
}
