using System.Buffers.Binary;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Tests.Ipvs;

/// <summary>
/// The encoder against what ipvsadm 1.31 sent to Debian's 6.1 kernel, captured in the test VM with
/// `strace -f -s 4096 -e trace=sendmsg -xx`. Sequence number, port id and the family id (message type) are masked.
/// </summary>
public sealed class IpvsRequestGoldenTests
{
    private const ushort FamilyId = 0x20; // what the VM's kernel gave IPVS; masked anyway

    // ipvsadm -A -t 192.0.2.1:80 -s rr   (nlmsg_len=104, NLM_F_REQUEST|NLM_F_ACK)
    private const string NewServicePayload =
        "01010000540001800600010002000000060002000600000014000300c0000201" +
        "000000000000000000000000060004000050000007000600727200000c000700" +
        "00000000ffffffff080008000000000008000900ffffffff";

    // ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1   (nlmsg_len=200, NLM_F_REQUEST|NLM_F_ACK)
    private const string NewDestPayload =
        "05010000540001800600010002000000060002000600000014000300c0000201" +
        "000000000000000000000000060004000050000005000600000000000c000700" +
        "00000000ffffffff080008000000000008000900ffffffff6000028006000b00" +
        "0200000014000100c63364010000000000000000000000000600020000500000" +
        "0800030000000000080004000100000005000d000000000006000e0000000000" +
        "06000f000000000008000500000000000800060000000000";

    private static readonly IpvsServiceKey Service = IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.1"), 80);

    [Fact]
    public void New_service_matches_ipvsadm_byte_for_byte()
    {
        var ours = Encode(new AddService(Service, new IpvsServiceSettings("rr")));
        Assert.Equal(104, ours.Length);
        Assert.Equal(Message(104, NewServicePayload), Masked(ours));
    }

    /// <summary>
    /// ipvsadm also puts its idea of the service's settings (an empty scheduler, flags, timeout, netmask) into the
    /// service attribute of a destination request; the kernel reads only the service's key there
    /// (ip_vs_genl_parse_service with full_entry false), so the encoder sends the key alone. Everything else is equal.
    /// </summary>
    [Fact]
    public void New_destination_matches_ipvsadm_except_the_service_settings_the_kernel_ignores()
    {
        var ours = Encode(new AddDestination(Service, new IpvsDestination(IPAddress.Parse("198.51.100.1"), 80, ForwardingMethod.Masquerade, 1)));
        var theirs = Message(200, NewDestPayload);

        Assert.Equal(theirs[6..8], ours[6..8]);    // flags: NLM_F_REQUEST | NLM_F_ACK
        Assert.Equal(theirs[16..20], ours[16..20]); // genlmsghdr: cmd 5 (NEW_DEST), version 1
        var (theirService, theirDest) = TopAttributes(theirs);
        var (ourService, ourDest) = TopAttributes(ours);
        Assert.Equal(Hex(theirDest), Hex(ourDest));

        var key = new ushort[] { IpvsNl.SvcAf, IpvsNl.SvcProtocol, IpvsNl.SvcAddr, IpvsNl.SvcPort };
        var their = Attributes(theirService);
        var our = Attributes(ourService);
        Assert.Equal(key, our.Select(a => a.Type));
        Assert.Equal(
            their.Where(a => key.Contains(a.Type)).Select(a => Hex(a.Bytes)),
            our.Select(a => Hex(a.Bytes)));
        Assert.Equal(
            new ushort[] { IpvsNl.SvcSchedName, IpvsNl.SvcFlags, IpvsNl.SvcTimeout, IpvsNl.SvcNetmask },
            their.Where(a => !key.Contains(a.Type)).Select(a => a.Type));
    }

    [Fact]
    public void Family_lookup_matches_ipvsadm()
    {
        // ipvsadm's CTRL_CMD_GETFAMILY "IPVS": nlmsg_len=32, type nlctrl (0x10), NLM_F_REQUEST|NLM_F_ACK.
        var writer = new NetlinkWriter();
        writer.BeginMessage(0x10, Nl.FRequest | Nl.FAck, 7);
        var header = writer.Fixed(4);
        header[0] = 3; // CTRL_CMD_GETFAMILY
        header[1] = 1; // the version libnl sends; the controller ignores it
        writer.AttrString(2, "IPVS").EndMessage();
        var expected = Convert.FromHexString("20000000100005000000000000000000" + "03010000090002004950565300000000");
        Assert.Equal(Hex(expected), Hex(Masked(writer.Written.ToArray(), maskType: false)));
    }

    private static byte[] Encode(IpvsOperation operation)
    {
        var writer = new NetlinkWriter();
        IpvsRequest.Write(writer, FamilyId, 12345, operation);
        return writer.Written.ToArray();
    }

    private static byte[] Message(int length, string payloadHex)
    {
        var payload = Convert.FromHexString(payloadHex);
        Assert.Equal(length, 16 + payload.Length);
        var message = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), Nl.FRequest | Nl.FAck);
        payload.CopyTo(message, 16);
        return message;
    }

    /// <summary>Zeroes the type (family id), sequence number and port id of the nlmsghdr.</summary>
    private static byte[] Masked(byte[] message, bool maskType = true)
    {
        var copy = (byte[])message.Clone();
        if (maskType) copy.AsSpan(4, 2).Clear();
        copy.AsSpan(8, 8).Clear();
        return copy;
    }

    private static (byte[] Service, byte[] Dest) TopAttributes(byte[] message)
    {
        var all = Attributes(message.AsSpan(20).ToArray());
        return (all.Single(a => a.Type == IpvsNl.AttrService).Bytes, all.Single(a => a.Type == IpvsNl.AttrDest).Bytes);
    }

    private static List<(ushort Type, byte[] Bytes)> Attributes(byte[] data)
    {
        var list = new List<(ushort, byte[])>();
        foreach (var a in new NetlinkAttributes(data)) list.Add((a.Type, a.Value.ToArray()));
        return list;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
