using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.GenericNetlink;

/// <summary>Writes the netlink and generic netlink headers of one request, so callers add only attributes.</summary>
public static class GenericNetlinkWriter
{
    /// <summary>Begins a message of <paramref name="familyId"/>; finish it with <see cref="NetlinkWriter.EndMessage"/>.</summary>
    public static NetlinkWriter BeginGenericMessage(this NetlinkWriter writer, ushort familyId, byte command, byte version, ushort flags, uint seq)
    {
        writer.BeginMessage(familyId, flags, seq);
        var header = writer.Fixed(Genl.HeaderSize);
        header[0] = command;
        header[1] = version;
        return writer;
    }

    /// <summary>The attributes of a received generic netlink message, after its genlmsghdr.</summary>
    public static NetlinkAttributes GenericAttributes(this in NetlinkMessage message) => message.Attributes(Genl.HeaderSize);

    /// <summary>The command byte of a received generic netlink message.</summary>
    public static byte GenericCommand(this in NetlinkMessage message) => message.Payload.Length > 0 ? message.Payload[0] : (byte)0;
}
