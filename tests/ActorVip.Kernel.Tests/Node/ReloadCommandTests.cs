using ActorVip.Kernel.Tests.Lab;
using ActorVip.Node.Observability;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// `actorvip reload --pid` (the unit's ExecReload) against a real `actorvip run` in a namespace: it returns only once the node applied
/// the reload, with the node's own line (a VIP added to the file is guarded by the fence by then, and comes to be held); a broken file
/// is exit 2 and the node hears nothing; settings that need a restart are named with exit 0; and a PID that is not the node's (a process
/// SIGHUP would kill) or is gone is exit 1, with nothing signalled.
/// </summary>
public class ReloadCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static string Config(string vips, string more = "") => $$"""
        actorvip {
          interface = "eth0"
          addresses = [{{vips}}]
          node-address = "192.0.2.11:4053"
          nodes = 1
          {{more}}
        }
        """;

    [Fact]
    public void Reload_returns_once_the_node_applied_the_file_and_refuses_a_broken_one_with_exit_2_leaving_the_node_unchanged()
    {
        using var lab = new NetworkLab("rld");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var file = Path.Combine(lab.TempDirectory, "actorvip.conf");
        File.WriteAllText(file, Config("\"192.0.2.100\""));
        using var actorvip = ActorVipProcess.Start(node, "run", "--config", file);
        var pid = actorvip.Pid.ToString();
        try
        {
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is not null, Generous), "the VIP never appeared");

            // A VIP added: the line is the node's, so the command waited for it; the fence guards the new VIP by then.
            File.WriteAllText(file, Config("\"192.0.2.100\", \"192.0.2.101\""));
            var added = ActorVipProcess.RunToEnd(node, "reload", "--pid", pid, "--config", file);
            var fence = lab.Exec(node, "nft", "list", "ruleset").Stdout;
            Assert.True(added.ExitCode == 0, $"exit {added.ExitCode}: {added.Stderr}");
            Assert.Equal("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed", added.Stdout.Trim());
            Assert.Equal("", added.Stderr);
            Assert.Contains("192.0.2.101", fence);
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.101") is not null, Generous), "the added VIP was never held");
            Assert.True(Ip.Eventually(() => actorvip.Output.Contains("reload: applied: 1 VIP added"), Generous), "the node did not log the reload");
            // `actorvip status` lists the file's VIPs, not those of the start (it did until the process restarted).
            Assert.True(Ip.Eventually(() => HeldInStatus(node).SequenceEqual(["192.0.2.100", "192.0.2.101"]), Generous),
                $"status after the VIP was added: {ActorVipProcess.RunToEnd(node, "status", "--json").Stdout}");

            // A broken file: one line, exit 2, and the node is not signalled (it logs nothing, holds both VIPs, runs on).
            File.WriteAllText(file, Config("\"192.0.2.100\", \"192.0.2.300\""));
            var reloads = Count(actorvip.Output, "actorvip: reload:");
            var broken = ActorVipProcess.RunToEnd(node, "reload", "--pid", pid, "--config", file);
            Assert.Equal(2, broken.ExitCode);
            Assert.Equal("", broken.Stdout);
            var line = Assert.Single(broken.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("actorvip: reload: the configuration is not valid, the running one stays in force: address: '192.0.2.300'", line);
            Thread.Sleep(TimeSpan.FromSeconds(1));
            Assert.Equal(reloads, Count(actorvip.Output, "actorvip: reload:"));
            Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.100"));
            Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.101"));
            Assert.Null(actorvip.WaitForExit(TimeSpan.Zero));

            // A VIP removed and a setting that needs a restart: exit 0 (the VIP part is applied), the setting named.
            File.WriteAllText(file, Config("\"192.0.2.100\"", "lease.lease-time = 800ms"));
            var restart = ActorVipProcess.RunToEnd(node, "reload", "--pid", pid, "--config", file);
            Assert.Equal(0, restart.ExitCode);
            Assert.Equal("actorvip: reload: applied: 0 VIPs added, 1 removed, 0 changed; needs a restart, not applied: lease.lease-time " +
                "(systemctl restart actorvip, one master at a time)", restart.Stdout.Trim());
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.101") is null, Generous), "the removed VIP was not released");
            var status = ActorVipProcess.RunToEnd(node, "status", "--json").Stdout;
            Assert.Equal(["192.0.2.100"], StatusDocument.FromJson(status).Vips.Select(v => v.Vip));

            // A process that is not the node: SIGHUP would kill `sleep`, and it lives on.
            using var sleep = lab.Start(node, "sleep", "60");
            var foreign = ActorVipProcess.RunToEnd(node, "reload", "--pid", sleep.Pid.ToString(), "--config", file);
            Assert.Equal(1, foreign.ExitCode);
            Assert.Equal($"actorvip: --pid {sleep.Pid}: the node on 127.0.0.1:2112 is process {pid}, so process {sleep.Pid} was not signalled " +
                "(expected the PID of that actorvip run)", foreign.Stderr.Trim());
            Thread.Sleep(TimeSpan.FromMilliseconds(300));
            Assert.False(sleep.HasExited, "the foreign process was signalled");

            // A process that is gone.
            sleep.Signal(9);
            Assert.True(sleep.WaitForExit(TimeSpan.FromSeconds(5)));
            var gone = ActorVipProcess.RunToEnd(node, "reload", "--pid", sleep.Pid.ToString(), "--config", file);
            Assert.Equal(1, gone.ExitCode);
            Assert.StartsWith($"actorvip: --pid {sleep.Pid}: no such process", gone.Stderr.Trim());
            Assert.Null(actorvip.WaitForExit(TimeSpan.Zero));
        }
        finally
        {
            output.WriteLine(actorvip.Output);
        }
    }

    /// <summary>The VIPs `actorvip status` lists, each held by this node (the only one).</summary>
    private static IEnumerable<string> HeldInStatus(string node)
    {
        var status = ActorVipProcess.RunToEnd(node, "status", "--json");
        return status.ExitCode == 0 ? StatusDocument.FromJson(status.Stdout).Vips.Where(v => v.HeldHere).Select(v => v.Vip).ToList() : [];
    }

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.StartsWith(what, StringComparison.Ordinal));
}
