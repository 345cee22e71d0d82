using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

public class BackendSetupTests
{
    private static readonly VipAddress[] Vips = [VipAddress.Parse("198.51.100.100")];

    private static LoadBalancerSettings Lb(ForwardingMethod method) => new(true, 80, 80, method, "rr", []);

    private static string[] Commands(ForwardingMethod method) =>
        BackendSetup.Commands(Lb(method), Vips).Where(l => !l.StartsWith('#')).ToArray();

    [Fact]
    public void Directroute_backends_hold_the_vip_on_lo_and_suppress_arp_for_it()
    {
        Assert.Equal(
            ["ip addr add 198.51.100.100/32 dev lo", "sysctl -w net.ipv4.conf.all.arp_ignore=1", "sysctl -w net.ipv4.conf.all.arp_announce=2"],
            Commands(ForwardingMethod.DirectRoute));
    }

    [Fact]
    public void Tunnel_backends_hold_the_vip_on_an_ipip_tunl0_without_reverse_path_filtering()
    {
        var commands = Commands(ForwardingMethod.Tunnel);
        Assert.Equal("modprobe ipip", commands[0]);
        Assert.Contains("ip link show tunl0 >/dev/null 2>&1 || ip link add tunl0 type ipip", commands);
        Assert.Contains("ip addr add 198.51.100.100/32 dev tunl0", commands);
        Assert.Contains("sysctl -w net.ipv4.conf.tunl0.rp_filter=0", commands);
        Assert.Contains("sysctl -w net.ipv4.conf.all.arp_ignore=1", commands);
        Assert.DoesNotContain("ip addr add 198.51.100.100/32 dev lo", commands);
    }

    [Theory]
    [InlineData(ForwardingMethod.DirectRoute, new[] { "ip -6 addr add 2001:db8::100/128 dev lo" })]
    [InlineData(ForwardingMethod.Tunnel, new[] { "modprobe ip6_tunnel", "ip link set ip6tnl0 up", "ip -6 addr add 2001:db8::100/128 dev ip6tnl0" })]
    public void Ipv6_backends_hold_the_vip_without_arp_sysctls_and_tunnel_through_ip6tnl(ForwardingMethod method, string[] expected)
    {
        Assert.Equal(expected, BackendSetup.Commands(Lb(method), [VipAddress.Parse("2001:db8::100")]).Where(l => !l.StartsWith('#')));
    }

    [Fact]
    public void Both_families_get_their_own_commands()
    {
        var commands = BackendSetup.Commands(Lb(ForwardingMethod.DirectRoute), [VipAddress.Parse("198.51.100.100"), VipAddress.Parse("2001:db8::100")]);
        Assert.Contains("ip addr add 198.51.100.100/32 dev lo", commands);
        Assert.Contains("sysctl -w net.ipv4.conf.all.arp_ignore=1", commands);
        Assert.Contains("ip -6 addr add 2001:db8::100/128 dev lo", commands);
    }

    [Theory]
    [InlineData(ForwardingMethod.Local)]
    [InlineData(ForwardingMethod.Masquerade)]
    [InlineData(ForwardingMethod.Bypass)]
    public void The_other_modes_need_no_command_on_the_backends(ForwardingMethod method)
    {
        Assert.Empty(Commands(method));
        Assert.Single(BackendSetup.Commands(Lb(method), Vips));
    }

    [Theory]
    [InlineData(ForwardingMethod.Local, true, null)]
    [InlineData(ForwardingMethod.Masquerade, true, null)]
    [InlineData(ForwardingMethod.Bypass, true, null)]
    [InlineData(ForwardingMethod.Tunnel, true, "eth0")]
    [InlineData(ForwardingMethod.DirectRoute, false, null)]
    public void The_inbound_fence_lets_forwarded_traffic_reach_backend_masters(ForwardingMethod method, bool enabled, string? only)
    {
        Assert.Equal(new InboundFence(enabled, only is null ? null : [only]), InboundFence.For(Lb(method), "eth0"));
        Assert.Equal(InboundFence.All, InboundFence.For(Lb(method) with { Enabled = false }, "eth0"));
    }
}
