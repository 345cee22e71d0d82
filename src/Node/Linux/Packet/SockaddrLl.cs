using System.Runtime.InteropServices;

namespace ActorVip.Node.Linux.Packet;

/// <summary>struct sockaddr_ll from include/uapi/linux/if_packet.h (20 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrLl
{
    public ushort Family;
    public ushort Protocol;      // big-endian ethertype
    public int InterfaceIndex;
    public ushort HardwareType;
    public byte PacketType;      // PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4
    public byte AddressLength;
    public ulong Address;
}
