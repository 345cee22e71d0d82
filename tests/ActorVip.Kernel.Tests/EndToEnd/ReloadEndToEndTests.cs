using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Live reconfiguration over real processes (issue 14 §5; docs/BENCHMARKS.md, "Reload"): three `actorvip run` nodes share one config
/// file holding VIP A. The file is rewritten with 50 VIPs more and each node is sent SIGHUP in turn: every new VIP comes to be
/// answered by exactly one node, and A, unchanged, is answered throughout (the client's who-has sweep every 20 ms; its longest
/// silence is printed). Then the 50 are removed the same way: released everywhere, A still answered. And nodes may differ: a VIP
/// only one node is configured for is placed there alone, and on no other node once that one stops.
/// </summary>
public sealed class ReloadEndToEndTests(ITestOutputHelper output)
{
    private const int Sighup = 1;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void Fifty_vips_added_and_removed_by_sighup_one_node_at_a_time_while_the_unchanged_vip_keeps_answering()
    {
        InThreeNodeLab((lab, topology) =>
        {
            var vips = ManyVipAddresses.Make(51);
            var (config, sweep, processes) = StartOnVipA(lab, topology, vips);
            using var _ = sweep;
            try
            {
                Assert.True(Until(() => Answered(sweep, 0, 1), Bound), "VIP A was never answered by one node");
                Thread.Sleep(TimeSpan.FromSeconds(3));

                // Add 50: rewrite the file, SIGHUP the nodes one by one.
                File.WriteAllText(config, ManyVipAddresses.Config(vips));
                sweep.ResetGaps();
                var reloadAt = sweep.Now;
                foreach (var process in processes.Values)
                {
                    process.Signal(Sighup);
                    Thread.Sleep(TimeSpan.FromMilliseconds(200));
                }
                Assert.True(Until(() => Enumerable.Range(1, 50).All(v => sweep.FirstAnswers[v] is not null), Bound),
                    $"{Enumerable.Range(1, 50).Count(v => sweep.FirstAnswers[v] is null)} of the 50 added VIPs never answered\n{Logs(processes)}");
                var allAnswer = Enumerable.Range(1, 50).Max(v => sweep.FirstAnswers[v]!.Value) - reloadAt;
                Assert.True(Until(() => Enumerable.Range(0, 51).All(v => Answered(sweep, v, 1)), Bound), "not every VIP had one owner");
                var silence = sweep.LongestGaps()[0];
                output.WriteLine($"added 50 VIPs by SIGHUP to 3 nodes one by one (200 ms apart): all 50 answered {allAnswer.TotalMilliseconds:0} ms " +
                    $"after the first SIGHUP; VIP A's longest silence meanwhile {silence.TotalMilliseconds:0} ms (sweep every 20 ms)");
                Assert.Empty(sweep.Duals());
                Assert.True(silence < TimeSpan.FromMilliseconds(200),
                    $"VIP A was silent for {silence.TotalMilliseconds:0} ms during the reload\n{Logs(processes)}");
                Assert.All(processes.Values, p => Assert.Contains("reload: applied: 50 VIPs added, 0 removed, 0 changed", p.Output));

                // Remove them again: released everywhere.
                File.WriteAllText(config, ManyVipAddresses.Config(vips.Take(1)));
                sweep.ResetGaps();
                foreach (var process in processes.Values)
                {
                    process.Signal(Sighup);
                    Thread.Sleep(TimeSpan.FromMilliseconds(200));
                }
                Assert.True(Until(() => Enumerable.Range(1, 50).All(v => Answered(sweep, v, 0)), Bound),
                    $"{Enumerable.Range(1, 50).Count(v => !Answered(sweep, v, 0))} of the 50 removed VIPs still answered\n{Logs(processes)}");
                AssertAnsweredThroughout(sweep, processes, "removed them again");
            }
            finally
            {
                StopAll(processes);
            }
        });
    }

    [Fact]
    public void A_vip_only_one_node_declares_is_answered_by_that_node_only_and_by_nobody_once_it_stops()
    {
        InThreeNodeLab((lab, topology) =>
        {
            var vips = ManyVipAddresses.Make(2);
            using var sweep = StartSweep(topology, vips);
            // The first node is configured for A and R, the others for A only: R is placed on the first node alone.
            var processes = topology.Nodes.Select((node, i) =>
            {
                var file = Path.Combine(lab.TempDirectory, $"declared-{node.Name}.conf");
                File.WriteAllText(file, ManyVipAddresses.Config(i == 0 ? vips : vips.Take(1)));
                return (node, process: new ActorVipService(config: file).Start(topology, node));
            }).ToDictionary(p => p.node, p => p.process);
            var only = topology.Nodes[0];
            try
            {
                Assert.True(Until(() => Answered(sweep, 0, 1) && Answered(sweep, 1, 1), Bound), $"A and R were not answered\n{Logs(processes)}");
                Thread.Sleep(TimeSpan.FromSeconds(3));
                // And it stays there, answered throughout: an allocator that placed it on a node not configured for it (before
                // nodes declared their VIPs, it moved away from the allocator's node to one that ignored it) left it dark.
                sweep.ResetGaps();
                Thread.Sleep(TimeSpan.FromSeconds(3));
                var gap = sweep.LongestGaps()[1];
                Assert.True(gap < TimeSpan.FromMilliseconds(500), $"R was silent for {gap.TotalMilliseconds:0} ms while its node ran\n{Logs(processes)}");
                Assert.Equal([only.Mac], sweep.Runs(1).Select(r => r.Mac).Distinct());

                // Its only node stops: the two others (a majority) hold A, and neither ever answers for R.
                processes[only].Signal(15);
                Assert.True(processes[only].WaitForExit(TimeSpan.FromSeconds(10)), "the first node did not stop");
                Assert.True(Until(() => Answered(sweep, 0, 1), Bound), $"A was not answered after the first node stopped\n{Logs(processes)}");
                Thread.Sleep(TimeSpan.FromSeconds(3));
                Assert.True(Answered(sweep, 0, 1), "A is not answered");
                Assert.Equal([only.Mac], sweep.Runs(1).Select(r => r.Mac).Distinct());
                Assert.True(Answered(sweep, 1, 0), "R is answered by a node not configured for it");
            }
            finally
            {
                StopAll(processes);
            }
        });
    }

    /// <summary>
    /// Health checks come with a reload (issue 14 §1 with §5): VIP H is added with an exec check that passes (`when-none-healthy =
    /// release`) and is answered by one node; then its check is changed to one that fails everywhere, and H is released on every node;
    /// A, unchanged and untracked, answers throughout. Before, a VIP with health checks was refused ("needs a restart") and the whole
    /// VIP list with it.
    /// </summary>
    [Fact]
    public void A_vip_added_with_health_checks_by_sighup_follows_them_and_is_released_when_they_fail_everywhere()
    {
        InThreeNodeLab((lab, topology) =>
        {
            var vips = ManyVipAddresses.Make(2);
            string WithCheck(string command) => $$"""
                actorvip {
                  addresses = ["{{vips[0]}}"]
                  vips = [ { address = "{{vips[1]}}", when-none-healthy = release,
                             health-checks = [ { type = exec, command = "{{command}}", interval = 300ms, timeout = 250ms, rise = 1, fall = 1 } ] } ]
                }
                """;
            var (config, sweep, processes) = StartOnVipA(lab, topology, vips);
            using var _ = sweep;
            try
            {
                Assert.True(Until(() => Answered(sweep, 0, 1), Bound), "VIP A was never answered by one node");
                Thread.Sleep(TimeSpan.FromSeconds(3));
                sweep.ResetGaps();

                File.WriteAllText(config, WithCheck("/usr/bin/true"));
                foreach (var process in processes.Values) process.Signal(Sighup);
                Assert.True(Until(() => Answered(sweep, 1, 1), Bound), $"H, added with a passing check, was never answered\n{Logs(processes)}");
                Assert.All(processes.Values, p => Assert.True(Until(() => p.Output.Contains("reload: applied: 1 VIP added, 0 removed, 0 changed"),
                    Bound), $"a node did not apply the reload\n{p.Output}"));

                File.WriteAllText(config, WithCheck("/usr/bin/false"));
                foreach (var process in processes.Values) process.Signal(Sighup);
                Assert.True(Until(() => Answered(sweep, 1, 0), Bound), $"H, whose check now fails everywhere, is still answered\n{Logs(processes)}");
                Thread.Sleep(TimeSpan.FromSeconds(2));
                Assert.True(Answered(sweep, 1, 0), $"H is answered again though no node passes its check\n{Logs(processes)}");
                Assert.All(processes.Values, p => Assert.Contains("reload: applied: 0 VIPs added, 0 removed, 0 changed, 1 with new health checks", p.Output));

                AssertAnsweredThroughout(sweep, processes, "both reloads");
            }
            finally
            {
                StopAll(processes);
            }
        });
    }

    /// <summary>VIP A (the sweep's first) answered now, never silent for 200 ms since the last reset of the gaps, and no VIP by two MACs.</summary>
    private void AssertAnsweredThroughout(ArpSweep sweep, Dictionary<LabNode, LabProcess> processes, string during)
    {
        var silence = sweep.LongestGaps()[0];
        output.WriteLine($"{during}: VIP A's longest silence meanwhile {silence.TotalMilliseconds:0} ms (sweep every 20 ms)");
        Assert.True(Answered(sweep, 0, 1), $"VIP A is not answered after {during}");
        Assert.True(silence < TimeSpan.FromMilliseconds(200), $"VIP A was silent for {silence.TotalMilliseconds:0} ms during {during}\n{Logs(processes)}");
        Assert.Empty(sweep.Duals());
    }

    /// <summary>Runs <paramref name="test"/> in a fresh three-node lab; afterwards none of the lab's namespaces is left.</summary>
    private static void InThreeNodeLab(Action<NetworkLab, VipTopology> test)
    {
        string prefix;
        using (var lab = new NetworkLab("e2e"))
        {
            prefix = lab.Prefix;
            test(lab, VipTopology.Build(lab, 3));
        }
        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);
    }

    /// <summary>Every node started on one config file (returned, to be rewritten) that holds VIP A, the first of <paramref name="vips"/>,
    /// and the client's who-has sweep of all of them.</summary>
    private static (string Config, ArpSweep Sweep, Dictionary<LabNode, LabProcess> Processes) StartOnVipA(NetworkLab lab, VipTopology topology,
        IReadOnlyList<System.Net.IPAddress> vips)
    {
        var config = Path.Combine(lab.TempDirectory, "reload.conf");
        File.WriteAllText(config, ManyVipAddresses.Config(vips.Take(1)));
        var sweep = StartSweep(topology, vips);
        var service = new ActorVipService(config: config);
        return (config, sweep, topology.Nodes.ToDictionary(n => n, n => service.Start(topology, n)));
    }

    /// <summary>SIGTERM to every node, each given 10 s to exit, then their logs to the test's output.</summary>
    private void StopAll(Dictionary<LabNode, LabProcess> processes)
    {
        foreach (var process in processes.Values) process.Signal(15);
        foreach (var process in processes.Values) process.WaitForExit(TimeSpan.FromSeconds(10));
        output.WriteLine(Logs(processes));
    }

    /// <summary>The client's who-has sweep of <paramref name="vips"/>, every 20 ms.</summary>
    private static ArpSweep StartSweep(VipTopology topology, IReadOnlyList<System.Net.IPAddress> vips)
    {
        var lab = topology.Lab;
        var index = int.Parse(lab.Exec(topology.Client, "cat", "/sys/class/net/eth0/ifindex").ThrowIfFailed("ifindex").Stdout.Trim());
        var clientMac = Convert.FromHexString(lab.Mac(topology.Client).Replace(":", ""));
        return new ArpSweep(topology.Client, index, clientMac, VipTopology.ProbeSender, vips, Stopwatch.StartNew(), TimeSpan.FromMilliseconds(20));
    }

    /// <summary>Whether <paramref name="vip"/> was answered by exactly <paramref name="macs"/> MACs within the last three sweeps.</summary>
    private static bool Answered(ArpSweep sweep, int vip, int macs) => sweep.Owners(TimeSpan.FromMilliseconds(80))[vip].Count == macs;

    private static bool Until(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    private static string Logs(Dictionary<LabNode, LabProcess> processes)
    {
        var text = new StringBuilder();
        foreach (var (node, process) in processes) text.Append($"--- {node.Name}\n{process.Output}\n");
        return text.ToString();
    }
}
