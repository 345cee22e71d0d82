using System.Net;
using ActorVip.Kernel.Tests.Lab;
using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Kernel.Tests.Linux;

/// <summary>Real frames on a real bridge: a capture socket in another namespace, and other hosts' neighbour tables.</summary>
public class GratuitousAnnouncerTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Fact]
    public void Another_namespace_receives_the_ARP_request_and_reply_with_RFC_fields()
    {
        using var lab = new NetworkLab("arp");
        var node = lab.AddHost("n", "192.0.2.11/24");
        var observer = lab.AddHost("o", "192.0.2.12/24");
        using var drivers = new NodeDrivers(node);
        var eth0 = drivers.Eth0;
        var mac = eth0.Mac.GetAddressBytes();
        byte[] vip = [192, 0, 2, 100];
        using var capture = PacketCapture.Open(lab, observer);

        drivers.Announcer.Announce(eth0, new VipAddress(new IPAddress(vip), 32));

        // RFC 826 packet layout; RFC 5227 2.3 announcement: sender IP = target IP, request with target MAC zero.
        byte[] broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        byte[] ethernetArp = [0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4];
        byte[] request = [.. broadcast, .. mac, .. ethernetArp, 0x00, 0x01, .. mac, .. vip, 0, 0, 0, 0, 0, 0, .. vip];
        byte[] reply = [.. broadcast, .. mac, .. ethernetArp, 0x00, 0x02, .. mac, .. vip, .. mac, .. vip];
        var first = capture.Next(f => IsArpFrom(f, mac), Generous);
        var second = capture.Next(f => IsArpFrom(f, mac), Generous);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(Convert.ToHexString(request), Convert.ToHexString(first.AsSpan(0, 42)));
        Assert.Equal(Convert.ToHexString(reply), Convert.ToHexString(second.AsSpan(0, 42)));
    }

    [Fact]
    public void Another_namespace_receives_the_NA_and_its_kernel_accepts_it()
    {
        using var lab = new NetworkLab("na");
        var node = lab.AddHost("n", "2001:db8::11/64");
        var observer = lab.AddHost("o", "2001:db8::12/64");
        // Linux creates an entry from an NA for an address it never asked about only on a router with accept_untracked_na (RFC 9131).
        lab.Exec(observer, "sysctl", "-qw", "net.ipv6.conf.eth0.forwarding=1",
            "net.ipv6.conf.eth0.accept_untracked_na=1").ThrowIfFailed("sysctl accept_untracked_na");
        using var drivers = new NodeDrivers(node);
        var eth0 = drivers.Eth0;
        var mac = eth0.Mac.GetAddressBytes();
        var vip = IPAddress.Parse("2001:db8::100");
        drivers.Addresses.Add(eth0, new VipAddress(vip, 128), null);
        using var capture = PacketCapture.Open(lab, observer);

        drivers.Announcer.Announce(eth0, new VipAddress(vip, 128));

        var frame = capture.Next(
            f => f.Length >= 86 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 && f[54] == 136 && f.AsSpan(6, 6).SequenceEqual(mac),
            Generous);
        Assert.NotNull(frame);
        Assert.Equal(new byte[] { 0x33, 0x33, 0, 0, 0, 1 }, frame[0..6]);          // all-nodes multicast MAC
        Assert.Equal(0x60, frame[14] & 0xF0);                                      // IPv6
        Assert.Equal(32, (frame[18] << 8) | frame[19]);                            // payload length
        Assert.Equal(255, frame[21]);                                              // hop limit
        Assert.Equal(vip, new IPAddress(frame.AsSpan(22, 16)));                    // source = VIP
        Assert.Equal(IPAddress.Parse("ff02::1"), new IPAddress(frame.AsSpan(38, 16)));
        Assert.Equal(0, frame[55]);                                                // code
        Assert.Equal(new byte[] { 0x20, 0, 0, 0 }, frame[58..62]);                 // R=0 S=0 O=1
        Assert.Equal(vip, new IPAddress(frame.AsSpan(62, 16)));                    // target
        Assert.Equal(new byte[] { 2, 1 }, frame[78..80]);                          // target link-layer address option, 8 bytes
        Assert.Equal(mac, frame[80..86]);
        // The kernel checks hop limit, checksum and flags before it learns anything: a neighbour entry proves them.
        Assert.True(Ip.Eventually(() => Ip.NeighborMac(lab, observer, "2001:db8::100") == Colon(mac), Generous),
            $"the observer's neighbour table did not learn 2001:db8::100 at {Colon(mac)}");
    }

    [Theory]
    [InlineData("192.0.2.100", 32)]
    [InlineData("2001:db8::100", 128)]
    public void A_client_that_knew_another_MAC_switches_to_the_announcer_without_sending_anything(string address, int prefix)
    {
        using var lab = new NetworkLab("sw");
        var node = lab.AddHost("n", "192.0.2.11/24", "2001:db8::11/64");
        var decoy = lab.AddHost("d", "192.0.2.12/24", "2001:db8::12/64");
        var client = lab.AddHost("c", "192.0.2.13/24", "2001:db8::13/64");
        var vip = new VipAddress(IPAddress.Parse(address), prefix);
        var ipv = vip.IsIPv6 ? "-6" : "-4";

        // The decoy holds the VIP first and the client learns the decoy's MAC by talking to it.
        lab.Exec(decoy, "ip", "addr", "add", $"{address}/{prefix}", "dev", "eth0", vip.IsIPv6 ? "nodad" : "noprefixroute").ThrowIfFailed("decoy add");
        lab.Exec(client, "ping", ipv, "-c", "1", "-W", "3", address).ThrowIfFailed("client ping to the decoy");
        var decoyMac = Ip.GetLink(lab, decoy).Mac;
        Assert.Equal(decoyMac, Ip.NeighborMac(lab, client, address));
        lab.Exec(decoy, "ip", "addr", "del", $"{address}/{prefix}", "dev", "eth0").ThrowIfFailed("decoy del");

        using var drivers = new NodeDrivers(node);
        var eth0 = drivers.Eth0;
        drivers.Addresses.Add(eth0, vip, null);
        Thread.Sleep(TimeSpan.FromMilliseconds(1200)); // past the 1 s locktime in which Linux ignores a new MAC
        drivers.Announcer.Announce(eth0, vip);

        var nodeMac = Colon(eth0.Mac.GetAddressBytes());
        Assert.NotEqual(decoyMac, nodeMac);
        Assert.True(Ip.Eventually(() => Ip.NeighborMac(lab, client, address) == nodeMac, Generous),
            $"the client still maps {address} to {Ip.NeighborMac(lab, client, address)}, not the announcer's {nodeMac}");
    }

    [Fact]
    public void Announcing_on_a_downed_interface_says_to_bring_it_up()
    {
        using var lab = new NetworkLab("dn");
        var node = lab.AddHost("n", "192.0.2.11/24");
        using var drivers = new NodeDrivers(node);
        var eth0 = drivers.Eth0;
        lab.Exec(node, "ip", "link", "set", "eth0", "down").ThrowIfFailed("ip link set down");

        var e = Assert.Throws<PacketException>(() => drivers.Announcer.Announce(eth0, new VipAddress(IPAddress.Parse("192.0.2.100"), 32)));

        Assert.Equal("sending a frame on eth0 failed: eth0 is down; bring it up (ip link set eth0 up).", e.Message);
        lab.Exec(node, "ip", "link", "set", "eth0", "up").ThrowIfFailed("ip link set up");
        drivers.Announcer.Announce(eth0, new VipAddress(IPAddress.Parse("192.0.2.100"), 32)); // and works again once it is up
    }

    private static bool IsArpFrom(byte[] frame, byte[] mac) =>
        frame.Length >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame.AsSpan(6, 6).SequenceEqual(mac);

    private static string Colon(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2")));
}
