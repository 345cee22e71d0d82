using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>
/// A VIP's own interface (issue 14 §6): <c>interface</c> in a vips object, the node's <c>actorvip.interface</c> by default,
/// so that one node may announce VIPs on two networks. Read into VipConfig and validated once, by the node interface's rule.
/// </summary>
public class VipInterfaceTests
{
    private static NodeSettings Read(string body, string node = "interface = eth0") => VipServicesTests.ReadFile($"actorvip {{ {node}\n{body}\n}}");

    [Fact]
    public void A_vip_without_its_own_interface_lives_on_the_nodes_and_one_with_it_on_its_own()
    {
        var s = Read("""
            addresses = ["192.0.2.10"]
            vips = [ { address = "192.0.2.11" }, { address = "198.51.100.10", interface = eth1 }, { address = "198.51.100.11", interface = "eth1" } ]
            """);
        Assert.Equal(["eth0", "eth0", "eth1", "eth1"], s.Vips.Select(s.InterfaceOf));
        Assert.Equal([null, null, "eth1", "eth1"], s.Vips.Select(v => v.Interface));
        Assert.Equal(["eth0", "eth1"], s.VipInterfaces);
        Assert.Equal("eth1", s.InterfaceOf("198.51.100.10"));
        Assert.Equal("eth0", s.InterfaceOf("192.0.2.10"));
    }

    [Fact]
    public void When_every_vip_has_its_own_interface_the_node_needs_none()
    {
        var s = Read("""vips = [ { address = "198.51.100.10", interface = eth1 }, { address = "203.0.113.10", interface = eth2 } ]""", node: "");
        Assert.Equal(["eth1", "eth2"], s.VipInterfaces);
    }

    [Fact]
    public void A_vip_of_the_nodes_interface_still_needs_the_node_interface()
    {
        var e = Assert.Throws<ConfigException>(() => Read(
            """vips = [ { address = "198.51.100.10", interface = eth1 }, { address = "192.0.2.10" } ]""", node: ""));
        Assert.StartsWith("interface: not set", e.Message);
    }

    [Fact]
    public void The_interface_is_part_of_a_vips_configuration()
    {
        var own = Read("""vips = [ { address = "198.51.100.10", interface = eth1 } ]""").Vips[0];
        var node = Read("""vips = [ { address = "198.51.100.10" } ]""").Vips[0];
        Assert.NotEqual(own, node);
        Assert.Equal(own, Read("""vips = [ { address = "198.51.100.10", interface = eth1 } ]""").Vips[0]);
    }

    // A bad interface in a vips object: rows of VipServicesTests.BadServices, the table of every vips error.

    [Fact]
    public void A_missing_vip_interface_names_the_setting_and_its_vips()
    {
        var s = Read("""vips = [ { address = "192.0.2.10" }, { address = "198.51.100.10", interface = eth9 } ]""");
        Assert.Equal("vips interface (of 198.51.100.10): 'eth9' does not exist on this host (ip link lists the interfaces)",
            RunCommand.MissingInterface(s, "eth9"));
        Assert.Equal("interface: 'eth0' does not exist on this host (ip link lists the interfaces)", RunCommand.MissingInterface(s, "eth0"));
    }
}
