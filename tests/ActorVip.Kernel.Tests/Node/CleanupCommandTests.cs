using System.Net;
using ActorVip.Kernel.Tests.Lab;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Nftables;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>`actorvip cleanup` as a real process in a namespace, on state planted as a killed run leaves it.</summary>
public class CleanupCommandTests(ITestOutputHelper output)
{
    private const int SigKill = 9;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public void Cleanup_removes_the_vips_the_fence_and_the_nat_table_leaves_everything_else_and_a_second_run_is_a_clean_exit_0()
    {
        using var lab = new NetworkLab("clean");
        var node = lab.AddHost("n1", "192.0.2.11/24", "2001:db8::11/64");
        // As a killed run leaves them (preferred lifetime 0), but valid forever, so nothing expires on its own during the test.
        lab.Exec(node, "ip", "addr", "add", "192.0.2.100/32", "dev", "eth0", "preferred_lft", "0").ThrowIfFailed("plant the IPv4 VIP");
        lab.Exec(node, "ip", "addr", "add", "2001:db8::100/128", "dev", "eth0", "nodad", "preferred_lft", "0").ThrowIfFailed("plant the IPv6 VIP");
        using (NetworkNamespace.Enter(node))
        using (var fence = new KernelFence())
        {
            fence.Install([IPAddress.Parse("192.0.2.100"), IPAddress.Parse("2001:db8::100")]);
            fence.Own(IPAddress.Parse("192.0.2.100"), TimeSpan.FromMinutes(5));
        }
        lab.Sh(node, "nft add table ip actorvip-nat '{ comment \"owned by actorvip\"; }' && nft add chain ip actorvip-nat postrouting '{ type nat hook " +
            "postrouting priority srcnat; }'");
        lab.Sh(node, "nft add table inet someone-else");
        Assert.Equal(["arp actorvip", "inet someone-else", "ip actorvip", "ip actorvip-nat", "ip6 actorvip"], Tables(lab, node));

        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "cleanup", "--interface", "eth0", "--address", "192.0.2.100", "--address", "2001:db8::100");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100"));
        Assert.Null(Ip.FindAddress(lab, node, "2001:db8::100"));
        Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.11"));
        Assert.NotNull(Ip.FindAddress(lab, node, "2001:db8::11"));
        Assert.Equal(["inet someone-else"], Tables(lab, node));
        Assert.Contains("actorvip: removed 192.0.2.100/32 from eth0", stdout);
        Assert.Contains("actorvip: removed 2001:db8::100/128 from eth0", stdout);
        Assert.Contains("actorvip: removed nftables table ip actorvip-nat", stdout);
        Assert.Contains("actorvip: removed nftables table arp actorvip", stdout);

        var again = ActorVipProcess.RunToEnd(node, "cleanup", "--interface", "eth0", "--address", "192.0.2.100", "--address", "2001:db8::100");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("actorvip: nothing to clean up", again.Stdout.Trim());
        Assert.Equal("", again.Stderr);
        Assert.Equal(["inet someone-else"], Tables(lab, node));
    }

    [Fact]
    public void A_vip_with_another_prefix_than_configured_is_removed_too()
    {
        using var lab = new NetworkLab("cpfx");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        lab.Exec(node, "ip", "addr", "add", "192.0.2.100/28", "dev", "eth0", "preferred_lft", "0").ThrowIfFailed("plant the VIP");
        var (code, stdout, _) = ActorVipProcess.RunToEnd(node, "cleanup", "--interface", "eth0", "--address", "192.0.2.100");
        Assert.Equal(0, code);
        Assert.Contains("actorvip: removed 192.0.2.100/28 from eth0", stdout);
        Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100"));
    }

    [Fact]
    public void Cleanup_after_kill_9_of_a_running_node_removes_the_address_and_the_fence_it_left()
    {
        using var lab = new NetworkLab("ckill");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var config = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}.conf");
        // Forever, so that the address is still there when cleanup runs (with the default 2 s it would expire by itself).
        File.WriteAllText(config, "actorvip.address.valid-lifetime = 0s\n");
        try
        {
            string[] flags = ["--config", config, "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.11:4053"];
            using (var actorvip = ActorVipProcess.Start(node, ["run", .. flags]))
            {
                try
                {
                    Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is not null, Generous), "the VIP never appeared");
                    actorvip.Signal(SigKill);
                    Assert.NotNull(actorvip.WaitForExit(TimeSpan.FromSeconds(10)));
                }
                finally
                {
                    output.WriteLine(actorvip.Output);
                }
            }
            Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.100"));
            Assert.Contains("ip actorvip", Tables(lab, node));

            var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, ["cleanup", .. flags]);
            output.WriteLine(stdout + stderr);
            Assert.Equal(0, code);
            Assert.Null(Ip.FindAddress(lab, node, "192.0.2.100"));
            Assert.Empty(Tables(lab, node));
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void Cleanup_for_an_interface_that_is_gone_has_nothing_to_do_and_exits_0()
    {
        using var lab = new NetworkLab("cgone");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "cleanup", "--interface", "eth7", "--address", "192.0.2.100");
        Assert.Equal(0, code);
        Assert.Equal("actorvip: nothing to clean up", stdout.Trim());
        Assert.Equal("", stderr);
    }

    /// <summary>"family name" of every nftables table in the namespace, sorted, as nft lists them.</summary>
    private static List<string> Tables(NetworkLab lab, string ns) =>
        lab.Sh(ns, "nft list tables").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim().Replace("table ", "")).Order(StringComparer.Ordinal).ToList();
}
