using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Packet;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Kernel.Tests.Lab;

/// <summary>
/// A capture socket (AF_PACKET, ETH_P_ALL) on one interface of a lab namespace: it sees every frame that
/// arrives there from the moment it is opened, so a test opens it before it sends anything.
/// </summary>
public sealed class PacketCapture : IDisposable
{
    private const ushort EthPAll = 0x0003;
    private const byte PacketOutgoing = 4;
    private readonly SocketHandle _handle;

    private PacketCapture(SocketHandle handle) => _handle = handle;

    /// <summary>Opens the capture on <paramref name="device"/> inside namespace <paramref name="ns"/>.</summary>
    public static PacketCapture Open(NetworkLab lab, string ns, string device = "eth0")
    {
        var index = int.Parse(lab.Exec(ns, "cat", $"/sys/class/net/{device}/ifindex").ThrowIfFailed("reading ifindex").Stdout.Trim());
        using (NetworkNamespace.Enter(ns))
            return new PacketCapture(OpenBound(index));
    }

    // Wakes every 200 ms to check the deadline.
    private static SocketHandle OpenBound(int index) => BoundPacketSocket.Open(EthPAll, index, TimeSpan.FromMilliseconds(200), "a capture");

    /// <summary>The first incoming frame that matches, or null when none arrived within <paramref name="within"/> (a generous bound).</summary>
    public byte[]? Next(Func<byte[], bool> match, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var buffer = new byte[2048];
        while (DateTime.UtcNow < deadline)
        {
            var (length, packetType) = Receive(buffer);
            if (length <= 0 || packetType == PacketOutgoing) continue;
            var frame = buffer[..length];
            if (match(frame)) return frame;
        }
        return null;
    }

    private unsafe (int Length, byte PacketType) Receive(byte[] buffer)
    {
        var from = new SockaddrLl();
        socklen_t fromLength = (uint)sizeof(SockaddrLl);
        fixed (byte* p = buffer)
        {
            var n = recvfrom(_handle.Fd, p, buffer.Length, 0, (sockaddr*)&from, &fromLength);
            return ((int)n, from.PacketType);
        }
    }

    public void Dispose() => _handle.Dispose();
}
