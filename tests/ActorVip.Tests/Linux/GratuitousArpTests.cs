using System.Net;
using System.Net.NetworkInformation;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Tests.Linux;

public class GratuitousArpTests
{
    private static readonly byte[] Mac = PhysicalAddress.Parse("12-DD-7E-62-67-D1").GetAddressBytes();
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.1");

    [Fact]
    public void Request_matches_an_RFC_5227_announcement_captured_from_arping()
    {
        // tcpdump -xx of `arping -A -c 1 -I eth0 192.0.2.1` (Thomas Habets' arping 2.23) from 192.0.2.1 at 12:dd:7e:62:67:d1:
        // an ARP request with sender IP = target IP and target MAC zero, i.e. RFC 5227 2.3 (first 42 bytes; the rest was padding).
        var expected = Hex.Bytes("""
            ffff ffff ffff 12dd 7e62 67d1 0806 0001
            0800 0604 0001 12dd 7e62 67d1 c000 0201
            0000 0000 0000 c000 0201
            """);
        var frame = new byte[64];

        var length = GratuitousArp.Write(frame, Mac, Vip, ArpOperation.Request);

        Assert.Equal(42, length);
        Assert.Equal(expected, frame[..length]);
    }

    [Fact]
    public void Reply_matches_iputils_arping_A()
    {
        // tcpdump -xx of iputils `arping -A -c 1 -I eth0 192.0.2.1` (20221126): reply, target MAC = sender MAC.
        var expected = Hex.Bytes("""
            ffff ffff ffff 12dd 7e62 67d1 0806 0001
            0800 0604 0002 12dd 7e62 67d1 c000 0201
            12dd 7e62 67d1 c000 0201
            """);
        var frame = new byte[42];

        var length = GratuitousArp.Write(frame, Mac, Vip, ArpOperation.Reply);

        Assert.Equal(expected, frame[..length]);
    }

    [Fact]
    public void Request_fields_follow_the_RFC_826_layout()
    {
        var frame = new byte[42];
        GratuitousArp.Write(frame, Mac, IPAddress.Parse("203.0.113.200"), ArpOperation.Request);

        Assert.Equal(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, frame[0..6]);   // Ethernet broadcast
        Assert.Equal(Mac, frame[6..12]);
        Assert.Equal(new byte[] { 0x08, 0x06 }, frame[12..14]);                       // ARP
        Assert.Equal(new byte[] { 0, 1, 0x08, 0x00, 6, 4, 0, 1 }, frame[14..22]);     // hrd 1, pro IPv4, hln 6, pln 4, op request
        Assert.Equal(Mac, frame[22..28]);                                             // sha
        Assert.Equal(new byte[] { 203, 0, 113, 200 }, frame[28..32]);                 // spa
        Assert.Equal(new byte[6], frame[32..38]);                                     // tha
        Assert.Equal(new byte[] { 203, 0, 113, 200 }, frame[38..42]);                 // tpa
    }

    [Fact]
    public void Rejects_an_IPv6_address_and_a_short_MAC()
    {
        var frame = new byte[42];
        Assert.Throws<ArgumentException>(() => GratuitousArp.Write(frame, Mac, IPAddress.Parse("2001:db8::1"), ArpOperation.Request));
        Assert.Throws<ArgumentException>(() => GratuitousArp.Write(frame, new byte[4], Vip, ArpOperation.Request));
    }
}
