using System.Net;
using ActorVip.Kernel.Tests.Lab;
using ActorVip.Kernel.Tests.Linux;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;
using ActorVip.Node.Linux.Packet;

namespace ActorVip.Kernel.Tests.Nftables;

/// <summary>
/// Issue 13 §2.2: gratuitous ARP and unsolicited neighbour advertisements leave on a packet socket, which the `arp output`
/// and `ip6 output` chains never see. The netdev egress chain on the VIP interface does: a frame announcing a VIP this node
/// does not own never reaches the wire, one for an owned VIP does.
/// </summary>
public class EgressFenceTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("192.0.2.100", "192.0.2.101", "192.0.2.11/24", "192.0.2.12/24")]
    [InlineData("2001:db8::100", "2001:db8::101", "2001:db8::11/64", "2001:db8::12/64")]
    public void A_packet_socket_announcement_for_an_unowned_vip_does_not_leave_the_interface(string unowned, string owned, string nodeAddress,
        string observerAddress)
    {
        using var lab = new NetworkLab("eg");
        var node = lab.AddHost("n", nodeAddress);
        var observer = lab.AddHost("o", observerAddress);
        var unownedVip = IPAddress.Parse(unowned);
        var ownedVip = IPAddress.Parse(owned);
        using var fence = Create(node);
        fence.Install([unownedVip, ownedVip]);
        Assert.True(fence.EgressFenced, fence.EgressWarning);
        fence.Own(ownedVip, TimeSpan.FromSeconds(30));
        using var drivers = new NodeDrivers(node);
        var eth0 = drivers.Eth0;
        var prefix = unownedVip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        using var capture = PacketCapture.Open(lab, observer);

        // The unowned VIP's announcement first: frames keep their order on a veth and the bridge, so when the owned VIP's
        // arrive and the unowned one's did not come before them, the fence dropped them. The sender learns it: a drop at the
        // egress hook returns NET_XMIT_DROP, which the packet socket reports as ENOBUFS.
        var dropped = Assert.Throws<PacketException>(() => drivers.Announcer.Announce(eth0, new VipAddress(unownedVip, prefix)));
        Assert.Equal(Errnos.ENOBUFS, dropped.Errno);
        drivers.Announcer.Announce(eth0, new VipAddress(ownedVip, prefix));

        var seen = new List<IPAddress>();
        while (capture.Next(f => Announced(f) is not null, Generous) is { } frame)
        {
            var vip = Announced(frame)!;
            seen.Add(vip);
            if (vip.Equals(ownedVip)) break;
        }
        Assert.Contains(ownedVip, seen);
        Assert.DoesNotContain(unownedVip, seen);
    }

    [Fact]
    public void Disowning_stops_the_announcement_and_owning_again_lets_it_out()
    {
        using var lab = new NetworkLab("ego");
        var node = lab.AddHost("n", "192.0.2.11/24");
        var observer = lab.AddHost("o", "192.0.2.12/24");
        var vip = new VipAddress(IPAddress.Parse("192.0.2.100"), 32);
        var marker = new VipAddress(IPAddress.Parse("192.0.2.101"), 32); // never guarded: always goes out
        using var fence = Create(node);
        fence.Install([vip.Address]);
        using var drivers = new NodeDrivers(node);
        using var capture = PacketCapture.Open(lab, observer);

        IPAddress? FirstAnnounced()
        {
            try
            {
                drivers.Announcer.Announce(drivers.Eth0, vip);
            }
            catch (PacketException e) when (e.Errno == Errnos.ENOBUFS)
            {
                // Dropped by the egress chain (asserted by what the observer sees).
            }
            drivers.Announcer.Announce(drivers.Eth0, marker);
            return Announced(capture.Next(f => Announced(f) is not null, Generous) ?? []);
        }

        fence.Own(vip.Address, TimeSpan.FromSeconds(30));
        Assert.Equal(vip.Address, FirstAnnounced());
        DrainMarker();
        fence.Disown(vip.Address);
        Assert.Equal(marker.Address, FirstAnnounced());
        DrainMarker();
        fence.Own(vip.Address, TimeSpan.FromSeconds(30));
        Assert.Equal(vip.Address, FirstAnnounced());

        // Each announce is a request and a reply: read up to the marker's second frame before the next round.
        void DrainMarker()
        {
            var markers = 0;
            while (markers < 2 && capture.Next(f => Announced(f) is not null, Generous) is { } f)
                if (marker.Address.Equals(Announced(f))) markers++;
        }
    }

    [Fact]
    public void Where_the_egress_chain_cannot_be_made_the_fence_installs_without_it_and_says_so()
    {
        using var lab = new NetworkLab("egn");
        var node = lab.AddHost("n", "192.0.2.11/24", "192.0.2.100/32");
        var client = lab.AddHost("c", "192.0.2.50/24");
        // A hook the kernel lacks: refused with EOPNOTSUPP exactly as a kernel before 5.16 refuses NF_NETDEV_EGRESS.
        using var fence = CreateWithHook(node, hook: 2);
        fence.Install([IPAddress.Parse("192.0.2.100")]);

        Assert.False(fence.EgressFenced);
        Assert.Contains("no nftables netdev egress hook for interface eth0", fence.EgressWarning);
        Assert.Contains("EOPNOTSUPP", fence.EgressWarning);
        Assert.DoesNotContain("table netdev", lab.Sh(node, "nft list tables"));
        // The other tables are in place and working.
        Assert.Contains("table ip actorvip", lab.Sh(node, "nft list tables"));
        fence.Own(IPAddress.Parse("192.0.2.100"), TimeSpan.FromSeconds(30));
        fence.Disown(IPAddress.Parse("192.0.2.100"));
        fence.Remove();
        Assert.Equal("", lab.Sh(node, "nft list ruleset").Trim());
    }

    /// <summary>
    /// A reload brought a VIP on an interface no VIP was on (issue 14 §5 with §6): the fence, told to guard that interface's egress too,
    /// re-installs with a chain on it, in the one transaction that keeps the held VIP let through. An announcement for the new VIP,
    /// not owned, does not leave the new interface; the held VIP's still leaves the old one.
    /// </summary>
    [Fact]
    public void A_new_vip_interface_is_fenced_at_egress_by_the_reinstall_and_the_held_vip_stays_let_through()
    {
        using var lab = new NetworkLab("egr");
        var node = lab.AddHost("n", "192.0.2.11/24");
        var observer = lab.AddHost("o", "192.0.2.12/24");
        var held = new VipAddress(IPAddress.Parse("192.0.2.100"), 32);
        var added = new VipAddress(IPAddress.Parse("198.51.100.100"), 32);
        using var fence = Create(node);
        fence.Install([held.Address]);
        fence.Own(held.Address, TimeSpan.FromSeconds(30));
        lab.AddBridge("br1");
        lab.AddInterface(node, "eth1", "br1", "198.51.100.11/24");
        Assert.DoesNotContain("\"eth1\"", lab.Sh(node, "nft list table netdev actorvip"));

        fence.Reshape(InboundFence.All, ["eth0", "eth1"]);
        fence.Install([held.Address, added.Address], [(held.Address, TimeSpan.FromSeconds(30))]);

        Assert.True(fence.EgressFenced, fence.EgressWarning);
        var egress = lab.Sh(node, "nft list table netdev actorvip");
        Assert.Contains("hook egress device \"eth0\"", egress);
        Assert.Contains("hook egress device \"eth1\"", egress);
        using var drivers = new NodeDrivers(node);
        var eth1 = drivers.Links.Find("eth1")!;
        var dropped = Assert.Throws<PacketException>(() => drivers.Announcer.Announce(eth1, added));
        Assert.Equal(Errnos.ENOBUFS, dropped.Errno);
        using var capture = PacketCapture.Open(lab, observer);
        drivers.Announcer.Announce(drivers.Eth0, held);
        Assert.Equal(held.Address, Announced(capture.Next(f => Announced(f) is not null, Generous) ?? []));
    }

    /// <summary>
    /// An egress interface missing as the fence installs (deleted right after a reload found it, or not created yet). Linux 6.16 and
    /// later take a netdev chain for a device by its name and hook it when the device appears: the fence is complete, and an unowned
    /// VIP's announcement on the device created afterwards is dropped. Before 6.16 the kernel refuses the chain (ENOENT), and with it
    /// the whole egress table: the fence installs the rest, says why, and the next install with the interfaces that exist has it again.
    /// </summary>
    [Fact]
    public void An_egress_interface_missing_at_the_install_is_fenced_once_it_appears_or_the_fence_says_why_it_is_not()
    {
        using var lab = new NetworkLab("egg");
        var node = lab.AddHost("n", "192.0.2.11/24");
        var vip = new VipAddress(IPAddress.Parse("192.0.2.100"), 32);
        using var fence = Create(node);
        fence.Install([vip.Address]);
        Assert.True(fence.EgressFenced, fence.EgressWarning);

        fence.Reshape(InboundFence.All, ["eth0", "eth9"]);
        fence.Install([vip.Address], [(vip.Address, TimeSpan.FromSeconds(30))]);

        Assert.Contains("192.0.2.100", lab.Sh(node, "nft list set ip actorvip owned"));
        if (fence.EgressFenced)
        {
            Assert.Null(fence.EgressWarning);
            Assert.Contains("hook egress device \"eth9\"", lab.Sh(node, "nft list table netdev actorvip"));
            lab.AddBridge("br9");
            lab.AddInterface(node, "eth9", "br9", "198.51.100.11/24");
            fence.Disown(vip.Address);
            using var drivers = new NodeDrivers(node);
            var dropped = Assert.Throws<PacketException>(() => drivers.Announcer.Announce(drivers.Links.Find("eth9")!, vip));
            Assert.Equal(Errnos.ENOBUFS, dropped.Errno);
            return;
        }
        Assert.Contains("could not bind the egress chain to interface eth0, eth9", fence.EgressWarning);
        Assert.Contains("table ip actorvip", lab.Sh(node, "nft list tables"));
        fence.Reshape(InboundFence.All, ["eth0"]);
        fence.Install([vip.Address]);
        Assert.True(fence.EgressFenced, fence.EgressWarning);
        Assert.Null(fence.EgressWarning);
    }

    /// <summary>The VIP a frame announces: an ARP's sender address, or a neighbour advertisement's target; else null.</summary>
    private static IPAddress? Announced(byte[] f)
    {
        if (f.Length >= 42 && f[12] == 0x08 && f[13] == 0x06) return new IPAddress(f.AsSpan(28, 4));
        if (f.Length >= 78 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 && f[54] == 136) return new IPAddress(f.AsSpan(62, 16));
        return null;
    }

    private static KernelFence CreateWithHook(string ns, uint hook)
    {
        using (NetworkNamespace.Enter(ns))
            return new KernelFence(egressInterfaces: ["eth0"]) { EgressHook = hook };
    }

    private static KernelFence Create(string ns, string egressInterface = "eth0")
    {
        using (NetworkNamespace.Enter(ns))
            return new KernelFence(egressInterfaces: [egressInterface]);
    }
}
