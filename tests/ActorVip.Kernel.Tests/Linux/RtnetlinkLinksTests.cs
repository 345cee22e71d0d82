using ActorVip.Kernel.Tests.Lab;

namespace ActorVip.Kernel.Tests.Linux;

public class RtnetlinkLinksTests
{
    [Fact]
    public void Finds_eth0_as_ip_link_shows_it_and_null_for_a_missing_name()
    {
        using var lab = new NetworkLab("lnk");
        var ns = lab.AddHost("n", "192.0.2.11/24");
        lab.Exec(ns, "ip", "link", "set", "eth0", "mtu", "1400").ThrowIfFailed("ip link set mtu");
        using var drivers = new NodeDrivers(ns);
        var ip = Ip.GetLink(lab, ns);

        var eth0 = drivers.Links.Find("eth0");

        Assert.NotNull(eth0);
        Assert.Equal(("eth0", ip.Index, ip.Mac, 1400), (eth0.Name, eth0.Index, string.Join(':', eth0.Mac.GetAddressBytes().Select(b => b.ToString("x2"))),
            eth0.Mtu));
        Assert.Equal("UP", ip.OperState);
        Assert.True(eth0.OperUp);
        Assert.True(eth0.Carrier);
        Assert.Null(drivers.Links.Find("nosuch0"));
        Assert.Null(drivers.Links.Find("a-name-far-too-long-for-linux"));
    }

    [Fact]
    public void Loopback_with_unknown_oper_state_counts_as_up_and_a_downed_link_does_not()
    {
        using var lab = new NetworkLab("lnk");
        var ns = lab.AddHost("n", "192.0.2.11/24");
        using var drivers = new NodeDrivers(ns);

        var lo = drivers.Links.Find("lo");
        Assert.NotNull(lo);
        Assert.Equal("UNKNOWN", Ip.GetLink(lab, ns, "lo").OperState);
        Assert.True(lo.OperUp);

        lab.Exec(ns, "ip", "link", "set", "eth0", "down").ThrowIfFailed("ip link set down");
        Assert.False(drivers.Links.Find("eth0")!.OperUp);
        Assert.Equal(new[] { "eth0", "lo" }, drivers.Links.List().Select(l => l.Name).Order());
    }
}
