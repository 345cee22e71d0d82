namespace ActorVip.Node.Linux.Packet;

/// <summary>A packet socket call failed; the message names the interface, the cause and the fix.</summary>
public sealed class PacketException : IOException
{
    public PacketException(int errno, string message) : base(message) => Errno = errno;

    public int Errno { get; }
}
