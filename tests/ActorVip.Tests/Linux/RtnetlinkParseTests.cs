using System.Buffers.Binary;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Tests.Linux;

/// <summary>Parsing of kernel replies built from the uapi layout (struct ifinfomsg / ifaddrmsg + attributes).</summary>
public class RtnetlinkParseTests
{
    [Theory]
    [InlineData(6, 0x1043u, true)]  // IF_OPER_UP
    [InlineData(2, 0x1003u, false)] // IF_OPER_DOWN, even with IFF_UP
    [InlineData(0, 0x0049u, true)]  // IF_OPER_UNKNOWN with IFF_UP|IFF_RUNNING (lo, dummy)
    [InlineData(0, 0x0001u, false)] // IF_OPER_UNKNOWN, up but not running
    public void Link_is_up_when_operationally_up_or_unknown_but_running(byte operState, uint flags, bool up)
    {
        var w = new NetlinkWriter();
        w.BeginMessage(16, 0, 1);
        var ifi = w.Fixed(16);
        BinaryPrimitives.WriteInt32LittleEndian(ifi[4..], 7);
        BinaryPrimitives.WriteUInt32LittleEndian(ifi[8..], flags);
        w.AttrString(3, "eth0").AttrU32(4, 9000).Attr(1, new byte[] { 2, 0, 0x5e, 0, 0x53, 1 }).AttrU8(16, operState).AttrU8(33, 1);
        w.EndMessage();

        var link = RtnetlinkLinks.Parse(Read(w));

        Assert.NotNull(link);
        Assert.Equal(("eth0", 7, 9000, "02005E005301", true), (link.Name, link.Index, link.Mtu, link.Mac.ToString(), link.Carrier));
        Assert.Equal(up, link.OperUp);
    }

    [Fact]
    public void Address_flags_come_from_IFA_FLAGS_before_ifa_flags_and_forever_is_null()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(20, 0, 1);
        var ifa = w.Fixed(8);
        ifa[0] = 10; ifa[1] = 128; ifa[2] = 0x02; // ifa_flags holds only the low byte
        BinaryPrimitives.WriteInt32LittleEndian(ifa[4..], 3);
        w.Attr(1, System.Net.IPAddress.Parse("2001:db8::5").GetAddressBytes()).AttrU32(8, 0x222);
        var cache = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(cache, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(cache.AsSpan(4), 0xFFFFFFFF);
        w.Attr(6, cache);
        w.EndMessage();

        var address = RtnetlinkAddresses.Parse(Read(w));

        Assert.NotNull(address);
        Assert.Equal("2001:db8::5", address.Address.ToString());
        Assert.Equal((3, 128, 0x222u, (uint?)0u, (uint?)null), (address.InterfaceIndex, address.PrefixLength, address.Flags, address.PreferredSeconds,
            address.ValidSeconds));
        Assert.True(address.IsNoDad && address.IsDeprecated && address.IsNoPrefixRoute);
    }

    private static NetlinkMessage Read(NetlinkWriter w)
    {
        var reader = new NetlinkMessageReader(w.Written);
        Assert.True(reader.TryRead(out var message));
        return message;
    }
}
