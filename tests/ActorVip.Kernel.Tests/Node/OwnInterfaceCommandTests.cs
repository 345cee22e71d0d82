using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// A VIP on its own interface (issue 14 §6) through the real `actorvip` commands in a namespace with two interfaces, eth0
/// (192.0.2.0/24) and eth1 (198.51.100.0/24): a missing one stops the start, a killed run's copies are removed from every VIP
/// interface at start and by cleanup, the VIP goes on its own interface, and a stop takes it off again.
/// </summary>
public class OwnInterfaceCommandTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private const string Config = """
        actorvip {
          interface = eth0
          node-address = "192.0.2.11:4053"
          vips = [ { address = "192.0.2.100" }, { address = "198.51.100.100", interface = eth1 } ]
        }
        """;

    /// <summary>A node with eth0 on br0 and eth1 on br1 (its own network), and the config file above; returns the node and the file.</summary>
    private static (string Node, string Config) TwoNetworks(NetworkLab lab, string config = Config)
    {
        var node = lab.AddHost("n1", "192.0.2.11/24");
        lab.AddBridge("br1");
        lab.AddInterface(node, "eth1", "br1", "198.51.100.11/24");
        var file = Path.Combine(lab.TempDirectory, "node.conf");
        File.WriteAllText(file, config);
        return (node, file);
    }

    /// <summary>Addresses as a killed run leaves them: deprecated (preferred lifetime 0), valid forever.</summary>
    private static void Plant(NetworkLab lab, string node, params (string Address, string Device)[] copies)
    {
        foreach (var (address, device) in copies)
            lab.Exec(node, "ip", "addr", "add", address, "dev", device, "preferred_lft", "0").ThrowIfFailed($"plant {address} on {device}");
    }

    [Fact]
    public void A_killed_runs_copies_are_removed_from_every_vip_interface_at_start_and_the_vip_is_held_on_its_own_then_released()
    {
        using var lab = new NetworkLab("oic");
        var (node, config) = TwoNetworks(lab);
        // As killed runs leave them (preferred lifetime 0): one on its interface, one on the node's where an earlier configuration had it.
        Plant(lab, node, ("198.51.100.100/32", "eth1"), ("198.51.100.100/32", "eth0"));
        using var actorvip = ActorVipProcess.Start(node, "run", "--config", config);
        try
        {
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("removed a stale copy of 198.51.100.100/32 from eth0") &&
                actorvip.Output.Contains("removed a stale copy of 198.51.100.100/32 from eth1"), Generous), "the stale copies were not reported removed");
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "198.51.100.100", "eth1") is { Valid: <= 2 } &&
                Ip.FindAddress(lab, node, "192.0.2.100", "eth0") is { Valid: <= 2 }, Generous), "the VIPs were not held on their interfaces");
            Assert.Null(Ip.FindAddress(lab, node, "198.51.100.100", "eth0"));
            Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100", "eth1"));
            Assert.Contains("vips 192.0.2.100/32 on eth0, 198.51.100.100/32 on eth1", actorvip.Output);

            actorvip.Signal(SigTerm);
            Assert.Equal(0, actorvip.WaitForExit(Generous));
            Assert.Null(Ip.FindAddress(lab, node, "198.51.100.100", "eth1"));
            Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100", "eth0"));
            Assert.NotNull(Ip.FindAddress(lab, node, "198.51.100.11", "eth1"));
        }
        finally
        {
            output.WriteLine(actorvip.Output);
        }
    }

    [Fact]
    public void Cleanup_removes_the_copies_on_every_vip_interface_and_leaves_the_hosts_own_addresses()
    {
        using var lab = new NetworkLab("oicl");
        var (node, config) = TwoNetworks(lab);
        Plant(lab, node, ("198.51.100.100/32", "eth1"), ("192.0.2.100/32", "eth0"));

        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "cleanup", "--config", config);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Contains("actorvip: removed 198.51.100.100/32 from eth1", stdout);
        Assert.Contains("actorvip: removed 192.0.2.100/32 from eth0", stdout);
        Assert.Null(Ip.FindAddress(lab, node, "198.51.100.100", "eth1"));
        Assert.NotNull(Ip.FindAddress(lab, node, "198.51.100.11", "eth1"));
        Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.11"));
    }

    [Theory]
    // A host problem: exit 1, as for the node's interface.
    [InlineData("eth9", 1, "actorvip: vips interface (of 198.51.100.100): 'eth9' does not exist on this host (ip link lists the interfaces)")]
    // Bad input: exit 2.
    [InlineData("\"eth1/x\"", 2,
        "actorvip: vips[1].interface: 'eth1/x' is not a valid interface name (expected 1 to 15 characters without '/', ':' or spaces, e.g. eth0)")]
    public void A_bad_or_missing_vip_interface_is_one_line_and_nothing_is_applied(string value, int exit, string line)
    {
        using var lab = new NetworkLab("oibad");
        var (node, config) = TwoNetworks(lab, Config.Replace("interface = eth1", $"interface = {value}", StringComparison.Ordinal));
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "run", "--config", config);
        output.WriteLine(stdout);
        Assert.Equal(exit, code);
        Assert.Equal(line, stderr.Trim());
        Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
        Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100"));
    }
}
