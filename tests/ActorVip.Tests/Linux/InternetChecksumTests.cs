using System.Net;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Tests.Linux;

public class InternetChecksumTests
{
    [Fact]
    public void RFC_1071_example_sums_to_ddf2()
    {
        // RFC 1071 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after folding), so the checksum is 220d.
        var data = new byte[] { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
        Assert.Equal((ushort)0x220d, InternetChecksum.Finish(InternetChecksum.Sum(data)));
    }

    [Fact]
    public void Odd_length_pads_the_last_byte_with_zero()
    {
        Assert.Equal(InternetChecksum.Finish(InternetChecksum.Sum(new byte[] { 0x12, 0x34, 0x56, 0x00 })),
                     InternetChecksum.Finish(InternetChecksum.Sum(new byte[] { 0x12, 0x34, 0x56 })));
    }

    [Fact]
    public void ICMPv6_checksum_of_the_captured_kernel_NA_is_020f()
    {
        // The ICMPv6 part of the kernel's NA (see UnsolicitedNeighborAdvertisementTests) with its checksum field zeroed.
        var icmp = Hex.Bytes("""
            8800 0000 2000 0000 2001 0db8 0000 0000
            0000 0000 0000 0007 0201 12dd 7e62 67d1
            """);
        Assert.Equal((ushort)0x020f, InternetChecksum.Icmpv6(IPAddress.Parse("2001:db8::7"), IPAddress.Parse("ff02::1"), icmp));
    }
}
