using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Tests.Linux;

/// <summary>
/// Requests compared with what iproute2 sends, captured with
/// `strace -f -e trace=sendmsg -e write=3 ip addr replace|del ... dev eth0` (eth0 had index 2).
/// The sequence number (bytes 8..11) differs between runs and is masked; the port id is 0 in both.
/// </summary>
public class AddressMessagesTests
{
    private const int Index = 2;

    [Fact]
    public void Add_IPv4_host_address_matches_ip_addr_replace()
    {
        // ip addr replace 198.51.100.9/32 dev eth0 valid_lft 30 preferred_lft 0
        var ip = Hex.Bytes("""
            3c 00 00 00 14 00 05 05  8f 2f 09 6b 00 00 00 00
            02 20 00 00 02 00 00 00  08 00 02 00 c6 33 64 09
            08 00 01 00 c6 33 64 09  14 00 06 00 00 00 00 00
            1e 00 00 00 00 00 00 00  00 00 00 00
            """);
        AssertSameRequest(ip, w => AddressMessages.WriteAdd(w, 7, Index, Vip("198.51.100.9", 32), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Add_IPv6_prefix_with_nodad_and_noprefixroute_matches_ip_addr_replace()
    {
        // ip addr replace 2001:db8::8/64 dev eth0 valid_lft 30 preferred_lft 0 nodad noprefixroute
        var ip = Hex.Bytes("""
            5c 00 00 00 14 00 05 05  96 2f 09 6b 00 00 00 00
            0a 40 00 00 02 00 00 00  14 00 02 00 20 01 0d b8
            00 00 00 00 00 00 00 00  00 00 00 08 08 00 08 00
            02 02 00 00 14 00 01 00  20 01 0d b8 00 00 00 00
            00 00 00 00 00 00 00 08  14 00 06 00 00 00 00 00
            1e 00 00 00 00 00 00 00  00 00 00 00
            """);
        AssertSameRequest(ip, w => AddressMessages.WriteAdd(w, 7, Index, Vip("2001:db8::8", 64), TimeSpan.FromSeconds(29.2)));
    }

    [Fact]
    public void Add_IPv4_prefix_forever_matches_ip_addr_replace_noprefixroute()
    {
        // ip addr replace 198.51.100.10/24 dev eth0 valid_lft forever preferred_lft 0 noprefixroute
        var ip = Hex.Bytes("""
            44 00 00 00 14 00 05 05  8f 2f 09 6b 00 00 00 00
            02 18 00 00 02 00 00 00  08 00 02 00 c6 33 64 0a
            08 00 08 00 00 02 00 00  08 00 01 00 c6 33 64 0a
            14 00 06 00 00 00 00 00  ff ff ff ff 00 00 00 00
            00 00 00 00
            """);
        AssertSameRequest(ip, w => AddressMessages.WriteAdd(w, 7, Index, Vip("198.51.100.10", 24), null));
    }

    [Fact]
    public void Add_IPv6_host_address_carries_nodad_in_IFA_FLAGS()
    {
        // Written from the uapi layout: iproute2 would put NODAD in ifa_flags here; we always use IFA_FLAGS (u32).
        var expected = Hex.Bytes("""
            5c 00 00 00  14 00  05 05  00 00 00 00  00 00 00 00
            0a 80 00 00  02 00 00 00
            14 00 02 00  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 07
            08 00 08 00  02 00 00 00
            14 00 01 00  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 07
            14 00 06 00  00 00 00 00  02 00 00 00  00 00 00 00  00 00 00 00
            """);
        AssertSameRequest(expected, w => AddressMessages.WriteAdd(w, 7, Index, Vip("2001:db8::7", 128), TimeSpan.FromMilliseconds(1500)));
    }

    [Fact]
    public void Delete_matches_ip_addr_del()
    {
        // ip addr del 2001:db8::8/64 dev eth0, then ip addr del 198.51.100.9/32 dev eth0
        var ip6 = Hex.Bytes("""
            40 00 00 00 15 00 05 00  96 2f 09 6b 00 00 00 00
            0a 40 00 00 02 00 00 00  14 00 02 00 20 01 0d b8
            00 00 00 00 00 00 00 00  00 00 00 08 14 00 01 00
            20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 08
            """);
        var ip4 = Hex.Bytes("""
            28 00 00 00 15 00 05 00  96 2f 09 6b 00 00 00 00
            02 20 00 00 02 00 00 00  08 00 02 00 c6 33 64 09
            08 00 01 00 c6 33 64 09
            """);
        AssertSameRequest(ip6, w => AddressMessages.WriteDelete(w, 7, Index, Vip("2001:db8::8", 64)));
        AssertSameRequest(ip4, w => AddressMessages.WriteDelete(w, 7, Index, Vip("198.51.100.9", 32)));
    }

    [Theory]
    [InlineData(0.0, 1u)]
    [InlineData(0.2, 1u)]
    [InlineData(1.0, 1u)]
    [InlineData(1.001, 2u)]
    [InlineData(2.0, 2u)]
    [InlineData(86400.5, 86401u)]
    public void Valid_lifetime_is_whole_seconds_rounded_up_and_at_least_one(double seconds, uint expected) =>
        Assert.Equal(expected, AddressMessages.ValidSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void No_valid_lifetime_is_forever() => Assert.Equal(0xFFFFFFFFu, AddressMessages.ValidSeconds(null));

    [Fact]
    public void A_VIP_never_adds_a_prefix_route_and_IPv6_skips_DAD()
    {
        Assert.Equal(0u, AddressMessages.Flags(Vip("192.0.2.10", 32)));
        Assert.Equal(0x200u, AddressMessages.Flags(Vip("192.0.2.10", 24)));
        Assert.Equal(0x02u, AddressMessages.Flags(Vip("2001:db8::10", 128)));
        Assert.Equal(0x202u, AddressMessages.Flags(Vip("2001:db8::10", 64)));
    }

    // VipAddress.Parse throws for IPv4 (it sets ScopeId, which IPv4 addresses refuse); the constructor avoids that here.
    private static VipAddress Vip(string address, int prefix) => new(System.Net.IPAddress.Parse(address), prefix);

    private static void AssertSameRequest(byte[] expected, Action<NetlinkWriter> write)
    {
        var writer = new NetlinkWriter();
        write(writer);
        var actual = writer.Written.ToArray();
        Assert.Equal(Convert.ToHexString(MaskSeq(expected)), Convert.ToHexString(MaskSeq(actual)));
    }

    private static byte[] MaskSeq(byte[] message)
    {
        var copy = (byte[])message.Clone();
        if (copy.Length >= 12) copy.AsSpan(8, 4).Clear();
        return copy;
    }
}
