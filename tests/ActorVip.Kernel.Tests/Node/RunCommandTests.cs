using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>`actorvip run` as a real process in a namespace: the address, the fence, the stop, the errors.</summary>
public class RunCommandTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("192.0.2.100", "192.0.2.100", 32, false)]
    [InlineData("2001:db8::100", "2001:db8::100", 128, true)]
    public void A_single_node_holds_the_vip_with_host_prefix_no_preferred_lifetime_and_a_valid_lifetime_then_releases_it_on_sigterm(
        string flag, string local, int prefix, bool ipv6)
    {
        using var lab = new NetworkLab("run");
        var node = lab.AddHost("n1", "192.0.2.11/24", "2001:db8::11/64");
        var client = lab.AddHost("c", "192.0.2.50/24", "2001:db8::50/64");
        using var actorvip = ActorVipProcess.Start(node, "run", "--interface", "eth0", "--address", flag, "--node-address", "192.0.2.11:4053", "--nodes", "1");
        try
        {
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, local) is not null, Generous), "the VIP never appeared");
            var address = Ip.FindAddress(lab, node, local)!;
            Assert.Equal(prefix, address.PrefixLength);
            Assert.Equal(0, address.Preferred); // never chosen as a source address
            Assert.True(address.Valid is > 0 and <= 2, $"valid lifetime {address.Valid} s, expected the configured 2 s");
            Assert.True(address.Deprecated);
            Assert.Equal(ipv6, address.NoDad);

            // The lifetime is refreshed while held: it is still there after several lifetimes.
            Thread.Sleep(TimeSpan.FromSeconds(5));
            Assert.NotNull(Ip.FindAddress(lab, node, local));
            var ping = lab.Exec(client, "ping", ipv6 ? "-6" : "-4", "-c", "2", "-W", "2", local);
            Assert.True(ping.ExitCode == 0, "client cannot reach the VIP: " + ping.Stdout);
            Assert.Contains(ipv6 ? "table ip6 actorvip" : "table ip actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
            // The egress fence on the VIP interface, with the held VIP owned (issue 13 §2.2); this kernel has the hook: no warning.
            Assert.Contains("hook egress device \"eth0\"", lab.Exec(node, "nft", "list", "table", "netdev", "actorvip").Stdout);
            Assert.Contains(local, lab.Exec(node, "nft", "list", "set", "netdev", "actorvip", ipv6 ? "owned6" : "owned4").Stdout);
            Assert.DoesNotContain("netdev egress hook", actorvip.Output);

            actorvip.Signal(SigTerm);
            var exit = actorvip.WaitForExit(TimeSpan.FromSeconds(10));
            Assert.True(exit == 0, $"exit code {exit?.ToString() ?? "none (still running)"}");
            Assert.Null(Ip.FindAddress(lab, node, local));
            // The fence stays installed with nothing owned (issue 13 §2.5): should anything add the address again, this
            // node still does not answer for the VIP. `actorvip cleanup` (systemd's ExecStopPost) removes the tables.
            var family = ipv6 ? "ip6" : "ip";
            Assert.Contains($"table {family} actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
            var owned = lab.Exec(node, "nft", "list", "set", family, "actorvip", "owned").Stdout;
            Assert.DoesNotContain("elements", owned);
            Assert.Contains("every VIP released", actorvip.Output);
        }
        finally
        {
            output.WriteLine(actorvip.Output);
        }
    }

    [Fact]
    public void A_stale_copy_left_by_a_crashed_run_is_removed_at_start_and_the_vip_held_again_only_when_granted()
    {
        using var lab = new NetworkLab("stale");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        // As a killed run would leave it (preferred lifetime 0), but valid forever, as an old version would.
        lab.Exec(node, "ip", "addr", "add", "192.0.2.100/32", "dev", "eth0", "preferred_lft", "0").ThrowIfFailed("plant stale address");
        using var actorvip = ActorVipProcess.Start(node, "run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.11:4053");
        try
        {
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("removed a stale copy of 192.0.2.100/32"), Generous),
                "the stale copy was not reported removed");
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is { Valid: <= 2 }, Generous),
                "the VIP was not re-added with its lifetime");
        }
        finally
        {
            output.WriteLine(actorvip.Output);
        }
    }

    [Fact]
    public void A_missing_interface_is_one_line_exit_1_and_nothing_is_applied()
    {
        using var lab = new NetworkLab("noif");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "run", "--interface", "eth9", "--address", "192.0.2.100", "--node-address",
            "192.0.2.11:4053");
        Assert.Equal(1, code);
        Assert.Equal("actorvip: interface: 'eth9' does not exist on this host (ip link lists the interfaces)", stderr.Trim());
        Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
        output.WriteLine(stdout);
    }

    [Fact]
    public void A_node_address_that_is_not_on_this_host_is_one_line_exit_1_and_nothing_is_applied()
    {
        using var lab = new NetworkLab("nobind");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        // Akka would bind it only after the fence is in, and abort with a stack trace (exit 134) leaving the fence.
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address",
            "192.0.2.12:4053");
        Assert.Equal(1, code);
        Assert.Equal("actorvip: node-address 192.0.2.12:4053: no interface of this host has that address; use one of its addresses", stderr.Trim());
        Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
        Assert.DoesNotContain("192.0.2.100", lab.Exec(node, "ip", "addr").Stdout);
        output.WriteLine(stdout);
    }

    [Fact]
    public void Load_balancing_on_a_kernel_without_ipvs_is_one_line_exit_1_and_leaves_nothing()
    {
        if (File.Exists("/proc/net/ip_vs")) throw new InvalidOperationException("This test needs a kernel without IPVS (this host's has it); the VM " +
            "tests cover the IPVS side.");
        using var lab = new NetworkLab("noipvs");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, ["run", "--interface", "eth0", "--address", "192.0.2.100", "--lb-port", "80",
            "--fwdmethod", "masquerade"]);
        Assert.Equal(1, code);
        Assert.Equal("actorvip: the kernel has no IPVS: load it with modprobe ip_vs", stderr.Trim().Split('\n').Single());
        Assert.DoesNotContain("192.0.2.100", lab.Exec(node, "ip", "addr").Stdout);
        Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
        output.WriteLine(stdout);
    }

    public static TheoryData<string[], string> BadFlags => new()
    {
        { ["run", "--interface", "eth0", "--address", "300.1.2.3"], "actorvip: address: '300.1.2.3' is not an IPv4 or IPv6 address" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.100/40"], "actorvip: address: '40' is not a valid prefix length for " +
            "192.0.2.100 (expected 1 to 32)" },
        { ["run", "--interface", "eth0/x", "--address", "192.0.2.100"], "actorvip: interface: 'eth0/x' is not a valid interface name" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.11:99999"],
            "actorvip: node-address: '99999' in '192.0.2.11:99999' is not a port (expected 1 to 65535)" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.100", "--seed", "nohost", "--nodes", "1"], "actorvip: seed: 'nohost' is not HOST:PORT" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.100", "--fwdmethod", "nat44"], "actorvip: lb.fwdmethod: 'nat44' is not a forwarding method" },
        { ["run", "--interface", "eth0"], "actorvip: address: none given" },
        { ["run", "--no-such-flag"], "actorvip: Unrecognized command or argument '--no-such-flag'" },
    };

    [Theory]
    [MemberData(nameof(BadFlags))]
    public void Bad_input_is_one_line_on_stderr_exit_2_and_touches_nothing(string[] args, string expected)
    {
        using var lab = new NetworkLab("bad");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, args);
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(expected, lines[0]);
        Assert.Equal("", stdout);
        Assert.DoesNotContain("192.0.2.100", lab.Exec(node, "ip", "addr").Stdout);
        Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
    }

    public static TheoryData<string, string> BadServices => new()
    {
        { """{ address = "192.0.2.100", services = [ { protocol = icmp, port = 80 } ] }""",
            "actorvip: vips[0].services[0].protocol: 'icmp' is not a protocol (expected tcp, udp or sctp)" },
        { """{ address = "192.0.2.100", services = [ { protocol = udp, port = 65536 } ] }""",
            "actorvip: vips[0].services[0].port: '65536' is not a port (expected 1 to 65535)" },
        { """{ address = "192.0.2.100" }, { address = "192.0.2.100", services = [ { port = 80 } ] }""",
            "actorvip: vips[1].address: 192.0.2.100 is already a VIP in vips[0]" },
        { """{ address = "192.0.2.100", services = [ { port = 80, fwmark = 7 } ] }""",
            "actorvip: vips[0].services[0]: port 80 and fwmark 7 are both set" },
    };

    /// <summary>The bad inputs of per-VIP services (docs/LOAD-BALANCING.md): refused before anything touches the kernel.</summary>
    [Theory]
    [MemberData(nameof(BadServices))]
    public void Bad_vip_services_in_the_config_file_are_one_line_exit_2_and_touch_nothing(string vips, string expected)
    {
        using var lab = new NetworkLab("badsvc");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $"actorvip.vips = [ {vips} ]");
            var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "run", "--config", file, "--interface", "eth0", "--node-address", "192.0.2.11:4053");
            Assert.Equal(2, code);
            Assert.StartsWith(expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.Equal("", stdout);
            Assert.DoesNotContain("192.0.2.100", lab.Exec(node, "ip", "addr").Stdout);
            Assert.DoesNotContain("actorvip", lab.Exec(node, "nft", "list", "tables").Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
