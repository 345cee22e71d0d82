using System.Net;
using System.Net.NetworkInformation;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Tests.Linux;

public class UnsolicitedNeighborAdvertisementTests
{
    // tcpdump -xx of the NA the kernel itself sent (net.ipv6.conf.eth0.ndisc_notify=1, `ip addr add 2001:db8::7/128 dev eth0`
    // after DAD) from 12:dd:7e:62:67:d1: to ff02::1, hop limit 255, flags O only, target link-layer address option.
    private static readonly byte[] KernelCapture = Hex.Bytes("""
        3333 0000 0001 12dd 7e62 67d1 86dd 6000
        0000 0020 3aff 2001 0db8 0000 0000 0000
        0000 0000 0007 ff02 0000 0000 0000 0000
        0000 0000 0001 8800 020f 2000 0000 2001
        0db8 0000 0000 0000 0000 0000 0007 0201
        12dd 7e62 67d1
        """);

    [Fact]
    public void Matches_the_unsolicited_NA_that_the_kernel_sends()
    {
        var frame = new byte[128];

        var length = UnsolicitedNeighborAdvertisement.Write(
            frame, PhysicalAddress.Parse("12-DD-7E-62-67-D1").GetAddressBytes(), IPAddress.Parse("2001:db8::7"));

        Assert.Equal(86, length);
        Assert.Equal(KernelCapture, frame[..length]);
    }

    [Fact]
    public void Checksum_verifies_over_the_pseudo_header_for_another_address()
    {
        var vip = IPAddress.Parse("2001:db8:ffff::abcd");
        var frame = new byte[86];
        UnsolicitedNeighborAdvertisement.Write(frame, new byte[] { 0x02, 0, 0x5e, 0x10, 0x20, 0x30 }, vip);

        // A correct checksum makes the one's-complement sum over pseudo-header and message all ones.
        Assert.Equal(0, InternetChecksum.Icmpv6(vip, IPAddress.Parse("ff02::1"), frame.AsSpan(54)));
        Assert.NotEqual(0, frame[56] | frame[57]);
    }
}
