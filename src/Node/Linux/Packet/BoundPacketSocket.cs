using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Linux.Packet;

/// <summary>An AF_PACKET raw socket that receives one EtherType on one interface, for probes and captures.</summary>
public static class BoundPacketSocket
{
    /// <param name="etherType">0x0806 for ARP, 0x0003 (ETH_P_ALL) for everything.</param>
    /// <param name="receiveTimeout">How long a receive may block, so that a reader loop can notice a stop or a deadline.</param>
    /// <param name="purpose">What the socket is for, in error messages ("an ARP", "a capture").</param>
    public static unsafe SocketHandle Open(ushort etherType, int interfaceIndex, TimeSpan receiveTimeout, string purpose)
    {
        var protocol = BinaryPrimitives.ReverseEndianness(etherType);
        var fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new IOException($"Cannot open {purpose} socket: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        var handle = new SocketHandle(fd);
        var address = new SockaddrLl { Family = (ushort)AF_PACKET, Protocol = protocol, InterfaceIndex = interfaceIndex };
        if (bind(fd, (sockaddr*)&address, (uint)sizeof(SockaddrLl)) != 0)
        {
            var error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            handle.Dispose();
            throw new IOException($"Cannot bind {purpose} socket to interface {interfaceIndex}: {error}.");
        }
        // struct timeval
        var timeout = stackalloc long[2]
        {
            (long)receiveTimeout.TotalSeconds,
            receiveTimeout.Milliseconds * 1000L + receiveTimeout.Microseconds
        };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
        return handle;
    }
}
