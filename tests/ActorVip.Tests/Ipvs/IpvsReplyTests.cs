using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Tests.Ipvs;

/// <summary>
/// Decoding of dump replies laid out as ip_vs_genl_fill_service / ip_vs_genl_fill_dest write them:
/// 16-byte addresses, big-endian ports, the IPv4 netmask as a big-endian mask, flags with HASHED set, 64-bit stats.
/// </summary>
public sealed class IpvsReplyTests
{
    [Fact]
    public void A_service_reads_back_with_its_settings_and_counters()
    {
        var w = new NetlinkWriter();
        w.AttrU16(IpvsNl.SvcAf, 2).AttrU16(IpvsNl.SvcProtocol, 17);
        w.Attr(IpvsNl.SvcAddr, Convert.FromHexString("c0000201000000000000000000000000"));
        w.AttrU16BigEndian(IpvsNl.SvcPort, 53).AttrString(IpvsNl.SvcSchedName, "sh");
        w.Attr(IpvsNl.SvcFlags, Convert.FromHexString("1b000000ffffffff")); // persistent | hashed | sched1 | sched2
        w.AttrU32(IpvsNl.SvcTimeout, 300).AttrU32BigEndian(IpvsNl.SvcNetmask, 0xffffff00);
        w.BeginNested(IpvsNl.SvcStats64);
        w.Attr(IpvsNl.StatsConns, BitConverter.GetBytes(7UL)).Attr(IpvsNl.StatsInBytes, BitConverter.GetBytes(1UL << 40));
        w.EndNested();

        var (key, settings, stats) = IpvsReply.Service(new NetlinkAttributes(w.Written));
        Assert.Equal(IpvsServiceKey.Udp(IPAddress.Parse("192.0.2.1"), 53), key);
        Assert.Equal(new IpvsServiceSettings("sh", true, 300, 24, SchedulerFlags: SchedulerFlags.Flag1 | SchedulerFlags.Flag2), settings);
        Assert.Equal((7UL, 1UL << 40), (stats.Connections, stats.InBytes));
    }

    [Fact]
    public void An_ipv6_firewall_mark_service_with_a_full_mask_reads_back_as_written()
    {
        var w = new NetlinkWriter();
        w.AttrU16(IpvsNl.SvcAf, 10).AttrU32(IpvsNl.SvcFwmark, 2).AttrString(IpvsNl.SvcSchedName, "rr");
        w.Attr(IpvsNl.SvcFlags, Convert.FromHexString("02000000ffffffff")).AttrU32(IpvsNl.SvcTimeout, 0).AttrU32(IpvsNl.SvcNetmask, 128);
        var (key, settings, stats) = IpvsReply.Service(new NetlinkAttributes(w.Written));
        Assert.Equal(IpvsServiceKey.ForFirewallMark(2, AddressFamily.InterNetworkV6), key);
        Assert.Equal(new IpvsServiceSettings("rr"), settings);
        Assert.Same(IpvsStats.Zero, stats);
    }

    [Fact]
    public void A_destination_reads_back_with_tunnel_settings_and_connection_counts()
    {
        var w = new NetlinkWriter();
        w.Attr(IpvsNl.DestAddr, Convert.FromHexString("20010db8000200000000000000000003"));
        w.AttrU16BigEndian(IpvsNl.DestPort, 443).AttrU32(IpvsNl.DestFwdMethod, 2).AttrU32(IpvsNl.DestWeight, 3);
        w.AttrU32(IpvsNl.DestUThresh, 100).AttrU32(IpvsNl.DestLThresh, 10);
        w.AttrU32(IpvsNl.DestActiveConns, 4).AttrU32(IpvsNl.DestInactConns, 5).AttrU32(IpvsNl.DestPersistConns, 6);
        w.AttrU16(IpvsNl.DestAddrFamily, 10).AttrU8(IpvsNl.DestTunType, 1).AttrU16BigEndian(IpvsNl.DestTunPort, 6080).AttrU16(IpvsNl.DestTunFlags, 2);
        var status = IpvsReply.DestinationStatus(new NetlinkAttributes(w.Written), AddressFamily.InterNetwork);
        Assert.Equal(
            new IpvsDestination(IPAddress.Parse("2001:db8:2::3"), 443, ForwardingMethod.Tunnel, 3, 100, 10, TunnelType.Gue, 6080,
                TunnelChecksum.RemoteChecksum),
            status.Destination);
        Assert.Equal((4u, 5u, 6u), (status.ActiveConnections, status.InactiveConnections, status.PersistentConnections));
    }
}
