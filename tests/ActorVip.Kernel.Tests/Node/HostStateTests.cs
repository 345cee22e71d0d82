using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// The real binary in a namespace given mistaken and hostile input: whatever it says, the host's own addresses and
/// nftables tables survive, and nothing of ActorVip's is left in the kernel (IPVS is not on this host's kernel).
/// </summary>
public class HostStateTests(ITestOutputHelper output)
{
    private const string HostTables = "nft add table ip filter && nft add chain ip filter input '{ type filter hook input priority 0; }' && " +
        "nft add table ip6 filter && nft add table inet filter && nft add table ip nat && nft add table ip actorvip-x";

    /// <summary>Arguments (CONFIG is replaced by a file holding the config text), the config text, the exit code and the words of the one line on
    /// stderr.</summary>
    public static TheoryData<string[], string, int, string> Rows => new()
    {
        // The node's own address as its VIP: run deleted it as a "stale copy", then crashed with the fence left.
        { ["run", "--interface", "eth0", "--address", "192.0.2.12/24", "--node-address", "192.0.2.12:4053"], "", 2,
            "address: 192.0.2.12 is this node's own address" },
        { ["cleanup", "--interface", "eth0", "--address", "192.0.2.12/24", "--node-address", "192.0.2.12:4053"], "", 2,
            "address: 192.0.2.12 is this node's own address" },
        // Another address of the host: run refuses it; cleanup (systemd runs it after every stop) leaves it.
        { ["run", "--interface", "eth0", "--address", "192.0.2.13", "--node-address", "192.0.2.12:4053"], "", 2,
            "address: 192.0.2.13 is an address of this host on eth0 (not deprecated" },
        { ["cleanup", "--interface", "eth0", "--address", "192.0.2.13", "--node-address", "192.0.2.12:4053"], "", 1,
            "cleanup: left 192.0.2.13/24 on eth0: 192.0.2.13 is an address of this host" },
        // The host's firewall tables under a name the fence would delete as a whole.
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "actorvip.fence.table = filter", 2, "fence.table: 'filter' is not a name ActorVip may own" },
        { ["cleanup", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100"], "actorvip.fence.table = filter", 2,
            "fence.table: 'filter' is not a name ActorVip may own" },
        // A table with an ActorVip-like name that ActorVip did not make (no mark): left alone.
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "actorvip.fence.table = actorvip-x", 1, "fence.table: nftables table ip actorvip-x exists and ActorVip did not make it" },
        { ["cleanup", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100"], "actorvip.fence.table = actorvip-x", 1,
            "cleanup: nftables table ip actorvip-x exists and ActorVip did not make it" },
        // Bad akka values crashed the actor system after the fence was installed (exit 134, tables left).
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"], "akka.loglevel = FOO", 2,
            "akka.loglevel: 'FOO' is not valid" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "akka.actor.provider = nonsense", 2, "akka.actor.provider: not a setting ActorVip lets a config file change" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "akka.cluster.failure-detector.heartbeat-interval = -1s", 2, "akka.cluster.failure-detector.heartbeat-interval: '-1s' is not valid" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "akka.loggers = [\"No.Such.Type, nope\"]", 2, "akka.loggers: not a setting" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "akka.cluster.split-brain-resolver.active-strategy = nope", 2, "active-strategy: 'nope' is not valid" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "akka.remote.dot-netty.tcp.maximum-frame-size = 1b", 2, "maximum-frame-size: '1b' is not valid" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "actorvip.lease { lease-time = 700ms, renew-interval = 350ms }", 2, "lease.renew-interval: 350ms is not less than half" },
        // Substitutions, nulls and includes: stack overflows and null references.
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"], "x = ${?HOME}", 2,
            "line 1: substitutions" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"],
            "actorvip.system-name = ${?NOPE}", 2, "line 1: substitutions" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"], "actorvip = null", 2,
            "line 1: 'actorvip' is null" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--node-address", "192.0.2.12:4053"], "actorvip.addresses = [[\"192.0.2.100\"]]", 2,
            "addresses: element 1 is a list" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--node-address", "192.0.2.12:4053"], "include \"/etc/hostname\"", 2,
            "line 1: include is not supported" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"], "}\nactorvip.nodez = 1", 2,
            "line 1: this '}' closes nothing" },
        // Silently wrong before: never a voter, never a lease, plain TCP.
        { ["run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053", "--seed", "localhost:4053"], "", 2,
            "seed: node-address 192.0.2.12:4053 is not one of the seeds (localhost:4053)" },
        { ["run", "--config", "CONFIG", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053"], "actorvip.lease.margin = 30d",
            2, "lease.margin: 2592000000ms is longer than lease.lease-time" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053", "--tls-key", "/nonexistent/key.pem"], "", 2,
            "tls.key: set while tls.enabled = off" },
        { ["run", "--interface", "eth0", "--address", "127.0.0.5", "--node-address", "192.0.2.12:4053"], "", 2,
            "'127.0.0.5' cannot be a virtual IP: it is a loopback address" },
        { ["run", "--interface", "eth0", "--address", "192.0.2.0/24", "--node-address", "192.0.2.12:4053"], "", 2,
            "'192.0.2.0/24' is the network address of its network" },
        // Unbounded reads.
        { ["run", "--config", "/dev/zero", "--interface", "eth0", "--address", "192.0.2.100"], "", 2,
            "cannot read config file '/dev/zero': it is a character device, not a regular file" },
        { ["check", "--config", "/tmp", "--interface", "eth0", "--address", "192.0.2.100"], "", 2, "cannot read config file '/tmp': it is a directory" },
        // Messages that named the wrong thing.
        { ["frobnicate"], "", 2, "Unrecognized command or argument 'frobnicate'" },
        { ["run", "--interface", "eth0\nx", "--address", "192.0.2.100"], "", 2, "interface: 'eth0\\nx' is not a valid interface name" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Mistaken_input_is_one_line_and_the_host_keeps_its_addresses_and_tables(string[] args, string config, int exit, string expected)
    {
        using var lab = new NetworkLab("host");
        var node = lab.AddHost("n1", "192.0.2.12/24");
        lab.Exec(node, "ip", "addr", "add", "192.0.2.13/24", "dev", "eth0").ThrowIfFailed("a second address of the host");
        lab.Sh(node, HostTables);
        var before = State(lab, node);
        var file = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}.conf");
        try
        {
            File.WriteAllText(file, config + "\n");
            var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, args.Select(a => a == "CONFIG" ? file : a).ToArray());
            output.WriteLine($"exit {code}\nstdout: {stdout}\nstderr: {stderr}");
            Assert.Equal(exit, code);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("warning: environment variable")).ToList();
            Assert.Single(lines);
            Assert.Contains(expected, lines[0]);
            Assert.Equal(before, State(lab, node));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Cleanup_leaves_a_table_of_its_name_without_its_mark_and_removes_the_marked_ones()
    {
        using var lab = new NetworkLab("mark");
        var node = lab.AddHost("n1", "192.0.2.12/24");
        // As an older ActorVip, or someone by hand, would have made it: no comment.
        lab.Sh(node, "nft add table ip actorvip && nft add table ip6 actorvip '{ comment \"owned by actorvip\"; }'");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node, "cleanup", "--interface", "eth0", "--address", "192.0.2.100");
        output.WriteLine(stdout + stderr);
        Assert.Equal(1, code);
        Assert.Contains("actorvip: removed nftables table ip6 actorvip", stdout);
        Assert.Contains("nftables table ip actorvip exists and ActorVip did not make it", stderr);
        Assert.Equal("table ip actorvip", lab.Sh(node, "nft list tables").Trim());
    }

    [Fact]
    public void The_nat_table_is_rebuilt_only_over_its_own_mark()
    {
        using var lab = new NetworkLab("natmark");
        var node = lab.AddNamespace("node");
        lab.Sh(node, "nft add table ip actorvip-nat && nft add chain ip actorvip-nat postrouting '{ type nat hook postrouting priority srcnat; }' && " +
            "nft add table ip6 actorvip-nat '{ comment \"owned by actorvip\"; }'");
        using (ActorVip.Node.Linux.NetworkNamespace.Enter(node))
        using (var nat = new ActorVip.Node.Linux.Nftables.MasqueradeNat())
            nat.Remove();
        Assert.Equal("table ip actorvip-nat", lab.Sh(node, "nft list tables").Trim());
    }

    [Fact]
    public void The_fence_tables_a_node_makes_carry_the_mark_nft_shows()
    {
        using var lab = new NetworkLab("markrun");
        var node = lab.AddHost("n1", "192.0.2.12/24");
        using var actorvip = ActorVipProcess.Start(node, "run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.12:4053");
        try
        {
            Assert.True(Ip.Eventually(() => lab.Exec(node, "nft", "list", "tables").Stdout.Contains("table arp actorvip"),
                TimeSpan.FromSeconds(30)), "no fence");
            Assert.Contains("comment \"owned by actorvip\"", lab.Sh(node, "nft list table ip actorvip"));
            Assert.Contains("comment \"owned by actorvip\"", lab.Sh(node, "nft list table arp actorvip"));
        }
        finally
        {
            output.WriteLine(actorvip.Output);
        }
    }

    /// <summary>The addresses of eth0 and every nftables table with its rules: what a mistaken command must leave as it was.</summary>
    private static string State(NetworkLab lab, string ns) =>
        lab.Sh(ns, "ip -br addr show dev eth0; nft list ruleset");
}
