using System.Runtime.InteropServices;
using ActorVip.Node.Linux.Netlink;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Linux.Packet;

/// <summary>
/// An AF_PACKET raw socket bound to one interface, for sending whole Ethernet frames. Protocol 0 means the
/// kernel delivers nothing to it, so it never queues received traffic. Not thread-safe.
/// </summary>
public sealed class PacketSocket : IDisposable
{
    private const int ENETDOWN = 100;
    private const int ENXIO = 6;
    private readonly SocketHandle _handle;

    private PacketSocket(SocketHandle handle, int interfaceIndex, string interfaceName)
    {
        _handle = handle;
        InterfaceIndex = interfaceIndex;
        InterfaceName = interfaceName;
    }

    public int InterfaceIndex { get; }
    public string InterfaceName { get; }

    public static unsafe PacketSocket Open(int interfaceIndex, string interfaceName)
    {
        var fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure(Marshal.GetLastPInvokeError(), $"opening a packet socket on {interfaceName}", interfaceName, interfaceIndex);
        var handle = new SocketHandle(fd);
        try
        {
            var address = new SockaddrLl { Family = (ushort)AF_PACKET, InterfaceIndex = interfaceIndex };
            if (bind(fd, (sockaddr*)&address, (uint)sizeof(SockaddrLl)) != 0)
                throw Failure(Marshal.GetLastPInvokeError(), $"binding a packet socket to {interfaceName}", interfaceName, interfaceIndex);
            return new PacketSocket(handle, interfaceIndex, interfaceName);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends one complete Ethernet frame (header included) out of the bound interface.</summary>
    public unsafe void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            while (true)
            {
                var sent = send(_handle.Fd, p, frame.Length, 0);
                if (sent == frame.Length) return;
                if (sent >= 0) throw new PacketException(0, $"sending a frame on {InterfaceName}: only {sent} of {frame.Length} bytes went out.");
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EINTR) continue;
                throw Failure(errno, $"sending a frame on {InterfaceName}", InterfaceName, InterfaceIndex);
            }
        }
    }

    private static PacketException Failure(int errno, string operation, string name, int index) => new(errno, errno switch
    {
        Errnos.EPERM or Errnos.EACCES => $"{operation} failed: raw packet sockets need CAP_NET_RAW; run as root or grant CAP_NET_RAW (systemd: AmbientCapabilities=CAP_NET_RAW).",
        ENETDOWN => $"{operation} failed: {name} is down; bring it up (ip link set {name} up).",
        ENXIO or Errnos.ENODEV => $"{operation} failed: interface {name} (index {index}) is gone; check the interface name in the configuration.",
        Errnos.EAFNOSUPPORT => $"{operation} failed: the kernel lacks AF_PACKET; load module af_packet.",
        _ => $"{operation} failed: {Errnos.Explain(errno)}.",
    });

    public void Dispose() => _handle.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public ulong Address;
    }
}
