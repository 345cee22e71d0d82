using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>
/// The Debian package under a real systemd: a podman container whose PID 1 is systemd 252 (--systemd=always)
/// joins one lab node's network namespace, installs actorvip_VERSION_amd64.deb and runs actorvip.service as
/// the package sets it up. Two more nodes run as plain processes. What systemd itself must show:
/// Type=notify (active only once the node joined), `systemctl reload` applying a VIP added to the file before it
/// returns and failing on a broken file with the node left as it was, the watchdog restarting a frozen node, ExecStopPost
/// cleaning up after a kill, `systemctl stop` releasing the VIP, an upgrade restarting the node, removal
/// stopping it, one journal record per event, and the unit's exposure score.
/// The container gets SYS_ADMIN for systemd's own sandboxing of the unit (mount namespaces), NET_ADMIN and
/// NET_RAW for the service; its network is the lab's namespace, nothing of the host's.
/// </summary>
public class SystemdServiceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private string _container = "";
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public void The_package_runs_the_node_under_systemd_ready_watchdog_cleanup_stop_upgrade_and_removal()
    {
        var (image, deb) = (DeployArtifacts.SystemdImage, DeployArtifacts.Deb);
        string prefix;
        using (var lab = new NetworkLab("sd"))
        {
            prefix = lab.Prefix;
            _container = $"{lab.Prefix}-systemd";
            try
            {
                Run(lab, image, deb);
            }
            finally
            {
                output.WriteLine("--- journalctl -u actorvip (last 60 lines)\n" + Exec("journalctl", "-u", "actorvip", "--no-pager", "-n", "60").Stdout);
                Podman.Remove(_container);
            }
        }
        Assert.Empty(Podman.Containers(prefix));
        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);
    }

    private void Run(NetworkLab lab, string image, string deb)
    {
        var topology = VipTopology.Build(lab, 3);
        var (n1, n2, n3) = (topology.Nodes[0], topology.Nodes[1], topology.Nodes[2]);
        Podman.Checked(["run", "--detach", "--name", _container, "--pull", "never", "--systemd", "always",
            "--cap-add", "SYS_ADMIN,NET_ADMIN,NET_RAW", "--network", $"ns:/run/netns/{n2.Namespace}",
            "--volume", $"{deb}:/tmp/actorvip.deb:ro", .. Podman.Limits, image, "/sbin/init"]);
        // systemctl answers only once systemd listens on its private socket; until then it prints nothing.
        var state = "";
        Ip.Eventually(() => (state = Exec("systemctl", "is-system-running").Stdout.Trim()) is "running" or "degraded", Bound);
        Step($"systemd is PID 1 and {state}");
        Assert.Contains(state, new[] { "running", "degraded" });
        Assert.Equal("systemd", Exec("cat", "/proc/1/comm").Stdout.Trim());

        // Installing starts nothing: the shipped configuration names no interface yet.
        var install = Checked("dpkg", "-i", "/tmp/actorvip.deb");
        Assert.Contains("systemctl enable --now actorvip", install);
        Assert.Equal("inactive", Systemctl("is-active", "actorvip"));
        Assert.Matches(@"^actorvip:x:\d+:\d+:", Checked("getent", "passwd", "actorvip"));
        Assert.Equal(0, Exec("systemd-analyze", "verify", "/lib/systemd/system/actorvip.service").ExitCode);

        // 1. Type=notify: n2 is the second seed, so it cannot join before n1 (the first) is up, and
        //    `systemctl start` stays in activating until the node says READY=1.
        WriteConfig(n2, topology.Nodes, topology.Nodes.Count);
        Checked("systemctl", "enable", "--now", "--no-block", "actorvip");
        for (var i = 0; i < 8; i++)
        {
            Thread.Sleep(500);
            Assert.Equal("activating", Systemctl("is-active", "actorvip"));
        }
        Step("activating for 4 s while the first seed is down");
        var service = new ActorVipService();
        using (var p1 = service.Start(topology, n1))
        using (var p3 = service.Start(topology, n3))
        {
            Assert.True(Ip.Eventually(() => Systemctl("is-active", "actorvip") == "active", Bound),
                "the unit never became active after the other nodes started");
            Step("active once n1 and n3 run (READY=1 after the node joined)");
            var journal = Journal();
            Assert.True(journal.IndexOf("Welcome from", StringComparison.Ordinal) is var up && up >= 0, "n2 never joined (no Welcome from a member)");
            Assert.True(journal.IndexOf("Started actorvip.service", StringComparison.Ordinal) > up, "systemd called the unit started before the node was Up");
            // READY=1 may come from the node's first VIP, a moment before its own MemberUp: STATUS says joined once that ran.
            Assert.True(Ip.Eventually(() => Systemctl("show", "-p", "StatusText", "--value", "actorvip").Contains("joined the cluster",
                StringComparison.Ordinal), Bound), "STATUS never said the node joined the cluster");

            // The service runs as the package's system user with exactly CAP_NET_ADMIN and CAP_NET_RAW (bits 12 and 13).
            var status = Checked("cat", $"/proc/{MainPid()}/status");
            var uid = Checked("id", "-u", "actorvip").Trim();
            Assert.Matches($@"Uid:\s+{uid}\s", status);
            Assert.Equal("0000000000003000", Regex.Match(status, @"CapEff:\s+(\S+)").Groups[1].Value);

            // 2. An upgrade (dpkg -i of the package over itself runs the same configure with a previous version)
            //    restarts a running node on the new binary.
            var before = MainPid();
            Checked("dpkg", "-i", "/tmp/actorvip.deb");
            Assert.True(Ip.Eventually(() => Systemctl("is-active", "actorvip") == "active" && MainPid() != before, Bound),
                "the upgrade did not restart the running node");
            Step("an upgrade restarted the node");
        }

        // 3. A change of the seeds and nodes takes a restart (a reload applies only the VIP list): n2 alone now, a
        //    cluster of one, so that it holds the VIP for the rest of the test.
        WriteConfig(n2, [n2], 1);
        Checked("systemctl", "restart", "actorvip");
        Assert.Equal("active", Systemctl("is-active", "actorvip"));
        Assert.True(Ip.Eventually(() => topology.NodesHoldingAddress().Contains(n2), Bound), "n2 never held the VIP as a cluster of one");
        Step("restarted with a new configuration; n2 holds the VIP");

        // 3b. systemctl reload (ExecReload=actorvip reload --pid $MAINPID): a VIP added to the file, applied by the same process
        //     before systemctl returns (the line in the journal is the node's, which actorvip reload waited for); then a broken file:
        //     the reload fails, the node is not signalled (the refusal is logged once, by ExecReload alone), active, both VIPs held.
        var running = MainPid();
        WriteConfig(n2, [n2], 1, [VipTopology.Vip.ToString(), Added]);
        var reload = Exec("systemctl", "reload", "actorvip");
        Assert.True(reload.ExitCode == 0, $"systemctl reload failed: {reload.Stderr}\n{Journal()}");
        Assert.Contains("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed", Journal());
        Assert.Equal(running, MainPid());
        Assert.Equal("active", Systemctl("is-active", "actorvip"));
        Assert.True(Ip.Eventually(() => Holds(lab, n2, Added), Bound), "n2 never held the VIP added by systemctl reload");
        Step("systemctl reload applied an added VIP; same main PID");

        WriteConfig(n2, [n2], 1, [VipTopology.Vip.ToString(), "192.0.2.300"]);
        var logged = Journal().Length;
        var refused = Exec("systemctl", "reload", "actorvip");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal("active", Systemctl("is-active", "actorvip"));
        Assert.Equal(running, MainPid());
        var refusal = Journal()[logged..];
        Assert.Equal(1, refusal.Split('\n').Count(l => l.StartsWith("actorvip: reload: the configuration is not valid, the running one stays in force: " +
            "address: '192.0.2.300'", StringComparison.Ordinal)));
        Assert.Contains("status=2/INVALIDARGUMENT", refusal);
        Assert.True(topology.NodesHoldingAddress().Contains(n2) && Holds(lab, n2, Added), "a refused reload changed the VIPs");
        Step("systemctl reload of a broken file failed (exit 2); the node untouched and active");

        WriteConfig(n2, [n2], 1);
        Checked("systemctl", "reload", "actorvip");
        Assert.Contains("actorvip: reload: applied: 0 VIPs added, 1 removed, 0 changed", Journal());
        Assert.True(Ip.Eventually(() => !Holds(lab, n2, Added), Bound), "the VIP removed by systemctl reload was not released");
        Assert.True(topology.NodesHoldingAddress().Contains(n2), "n2 lost the VIP that stayed in the file");
        Step("systemctl reload removed the VIP again");

        // 4. The watchdog: a frozen node stops petting it; systemd aborts and restarts it after WatchdogSec (5 s).
        var frozen = MainPid();
        Checked("systemctl", "kill", "--kill-who=main", "--signal=SIGSTOP", "actorvip");
        Assert.True(Ip.Eventually(() => MainPid() is var pid && pid != frozen && pid != 0 && Systemctl("is-active", "actorvip") == "active", Bound),
            "the watchdog did not restart the frozen node");
        Assert.Contains("Watchdog timeout", Journal());
        Assert.Equal("1", Systemctl("show", "-p", "NRestarts", "--value", "actorvip"));
        Assert.True(Ip.Eventually(() => topology.NodesHoldingAddress().Contains(n2), Bound), "n2 did not hold the VIP again after the watchdog restart");
        Step("the watchdog restarted the frozen node; it holds the VIP again");

        // 5. A kill: ExecStopPost's `actorvip cleanup` removes the VIP the dead node left, then Restart=always.
        var killed = MainPid();
        Checked("systemctl", "kill", "--kill-who=main", "--signal=SIGKILL", "actorvip");
        Assert.True(Ip.Eventually(() => Journal().Contains($"removed {VipTopology.Vip}/32 from eth0"), Bound),
            "ExecStopPost did not remove the killed node's VIP");
        Assert.True(Ip.Eventually(() => MainPid() is var pid && pid != killed && pid != 0 && Systemctl("is-active", "actorvip") == "active", Bound),
            "the killed node was not restarted");
        Assert.True(Ip.Eventually(() => topology.NodesHoldingAddress().Contains(n2), Bound), "n2 did not hold the VIP again after the restart");
        Step("after kill -9 the cleanup removed the VIP and the node came back");

        // 6. systemctl stop: the node releases the VIP and leaves, its fence installed owning nothing (issue 13 §2.5); the
        // cleanup then removes the fence tables and nothing else.
        var stopped = Journal().Length;
        Checked("systemctl", "stop", "actorvip");
        Assert.Equal("inactive", Systemctl("is-active", "actorvip"));
        Assert.Empty(topology.NodesHoldingAddress());
        Assert.DoesNotContain("actorvip", lab.Exec(n2.Namespace, "nft", "list", "tables").Stdout);
        var tail = Journal()[stopped..];
        Assert.Contains("actorvip: stopped; every VIP released", tail);
        Assert.Contains("actorvip: removed nftables table ip actorvip", tail);
        Assert.DoesNotContain($"removed {VipTopology.Vip}/32", tail);
        Step("systemctl stop released the VIP; the cleanup removed only the fence it left installed");

        // 7. One journal record per event: every record of the node is one logfmt line with its level and message,
        //    and each ownership event names its VIP and epoch.
        var records = Checked("journalctl", "-u", "actorvip", "-o", "cat", "--no-pager").Split('\n')
            .Where(l => l.StartsWith("ts=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Matches(@"^ts=\S+ level=\w+ source=", r));
        var acquired = records.Where(r => r.Contains("msg=acquired", StringComparison.Ordinal)).ToList();
        Assert.True(acquired.Count >= 3, $"expected an acquired record per run as a cluster of one, found {acquired.Count}");
        // Of the VIP, or of the one systemctl reload added for a while (3b).
        Assert.All(acquired, r => Assert.Matches($@"vip=({Regex.Escape(VipTopology.Vip.ToString())}|{Regex.Escape(Added)})/32 epoch=\d+ node=", r));

        // 8. The unit's exposure as systemd rates it (the tightened unit measured 2.1; 4.2 before).
        var security = Checked("systemd-analyze", "security", "actorvip", "--no-pager");
        var score = double.Parse(Regex.Match(security, @"Overall exposure level for actorvip.service: ([0-9.]+)").Groups[1].Value,
            CultureInfo.InvariantCulture);
        Step($"systemd-analyze security: {score}");
        Assert.True(score <= 2.5, $"exposure {score}: the unit lost some of its hardening\n{security}");

        // 9. Removal stops a running node (releasing the VIP) and takes the program and the unit away; a purge the configuration.
        Checked("systemctl", "start", "actorvip");
        Assert.True(Ip.Eventually(() => topology.NodesHoldingAddress().Contains(n2), Bound), "n2 did not hold the VIP before the removal");
        Checked("dpkg", "-r", "actorvip");
        Assert.NotEqual("active", Systemctl("is-active", "actorvip"));
        Assert.Empty(topology.NodesHoldingAddress());
        Assert.NotEqual(0, Exec("test", "-e", "/usr/bin/actorvip").ExitCode);
        Assert.NotEqual(0, Exec("test", "-e", "/lib/systemd/system/actorvip.service").ExitCode);
        Assert.Equal(0, Exec("test", "-e", "/etc/actorvip/actorvip.conf").ExitCode);
        Checked("dpkg", "-P", "actorvip");
        Assert.NotEqual(0, Exec("test", "-e", "/etc/actorvip").ExitCode);
        Step("dpkg -r stopped the node and released the VIP; dpkg -P removed /etc/actorvip");
    }

    /// <summary>The VIP <c>systemctl reload</c> adds (TEST-NET-1, on the lab's network).</summary>
    private const string Added = "192.0.2.101";

    private static bool Holds(NetworkLab lab, LabNode node, string vip) =>
        lab.Exec(node.Namespace, "ip", "-o", "addr", "show", "dev", "eth0").Stdout.Contains($" {vip}/", StringComparison.Ordinal);

    private void WriteConfig(LabNode self, IReadOnlyList<LabNode> seeds, int nodes, IReadOnlyList<string>? vips = null)
    {
        var conf = $$"""
            actorvip {
              interface = "eth0"
              addresses = [{{string.Join(", ", (vips ?? [VipTopology.Vip.ToString()]).Select(v => $"\"{v}\""))}}]
              node-address = "{{self.Endpoint}}"
              seeds = [{{string.Join(", ", seeds.Select(s => $"\"{s.Endpoint}\""))}}]
              nodes = {{nodes}}
            }
            """;
        Checked("sh", "-c", $"cat > /etc/actorvip/actorvip.conf <<'EOF'\n{conf}\nEOF");
    }

    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private HostCommand.Result Exec(params string[] command) => Podman.Run(["exec", _container, .. command]);

    private string Checked(params string[] command) => Exec(command).ThrowIfFailed(string.Join(' ', command)).Stdout;

    private string Systemctl(params string[] args) => Exec(["systemctl", .. args]).Stdout.Trim();

    private int MainPid() => int.Parse(Systemctl("show", "-p", "MainPID", "--value", "actorvip"), CultureInfo.InvariantCulture);

    private string Journal() => Exec("journalctl", "-u", "actorvip", "-o", "cat", "--no-pager").Stdout;
}
