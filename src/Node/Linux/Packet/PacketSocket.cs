using System.Runtime.InteropServices;
using ActorVip.Node.Linux.Netlink;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Linux.Packet;

/// <summary>
/// An AF_PACKET raw socket for sending whole Ethernet frames out of an interface chosen per frame. Protocol 0
/// means the kernel delivers nothing to it, so it never queues received traffic. Interface indexes are
/// resolved in the network namespace that was current when it was opened, whichever thread sends later.
/// Not thread-safe.
/// </summary>
public sealed class PacketSocket : IDisposable
{
    private const int ENETDOWN = 100;
    private const int ENXIO = 6;
    private readonly SocketHandle _handle;

    private PacketSocket(SocketHandle handle) => _handle = handle;

    public static PacketSocket Open()
    {
        var fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure(Marshal.GetLastPInvokeError(), "opening a packet socket", "", 0);
        return new PacketSocket(new SocketHandle(fd));
    }

    /// <summary>Sends one complete Ethernet frame (header included) out of interface <paramref name="interfaceIndex"/>.</summary>
    public unsafe void Send(int interfaceIndex, string interfaceName, ReadOnlySpan<byte> frame)
    {
        var address = new SockaddrLl { Family = (ushort)AF_PACKET, InterfaceIndex = interfaceIndex };
        fixed (byte* p = frame)
        {
            while (true)
            {
                var sent = sendto(_handle.Fd, p, frame.Length, 0, (sockaddr*)&address, (uint)sizeof(SockaddrLl));
                if (sent == frame.Length) return;
                if (sent >= 0) throw new PacketException(0, $"sending a frame on {interfaceName}: only {sent} of {frame.Length} bytes went out.");
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                throw Failure(errno, $"sending a frame on {interfaceName}", interfaceName, interfaceIndex);
            }
        }
    }

    private static PacketException Failure(int errno, string operation, string name, int index) => new(errno, errno switch
    {
        Errnos.EPERM or Errnos.EACCES => $"{operation} failed: raw packet sockets need CAP_NET_RAW; run as root or grant CAP_NET_RAW (systemd: " +
            "AmbientCapabilities=CAP_NET_RAW).",
        ENETDOWN => $"{operation} failed: {name} is down; bring it up (ip link set {name} up).",
        ENXIO or Errnos.ENODEV => $"{operation} failed: interface {name} (index {index}) is gone; check the interface name in the configuration.",
        Errnos.EAFNOSUPPORT => $"{operation} failed: the kernel lacks AF_PACKET; load module af_packet.",
        // What a drop at the netdev egress hook returns (NET_XMIT_DROP): the fence refusing an announcement for a VIP this node
        // does not own, which the lease checks should have kept from being sent (or, rarely, a full device queue).
        Errnos.ENOBUFS => $"{operation} failed: the frame was dropped (ENOBUFS): the fence's egress chain drops announcements for a " +
                          "VIP this node does not own (the lease ended), or the device queue was full.",
        _ => $"{operation} failed: {Errnos.Explain(errno)}.",
    });

    public void Dispose() => _handle.Dispose();
}
