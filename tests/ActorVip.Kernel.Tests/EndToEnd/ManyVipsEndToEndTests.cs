using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// The small variant of the many-VIP benchmark (docs/BENCHMARKS.md, "Many VIPs"): three real `actorvip run` processes
/// share one config file of 50 VIPs; the client asks who-has for every VIP every 50 ms. Every VIP must be answered by
/// exactly one node, and after a crash of the node holding the most (cable cut, SIGKILL) every one of its VIPs must be
/// answered by another node within 10 s, with no sweep in which two MACs answered one VIP, from the start to the end.
/// </summary>
public sealed class ManyVipsEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Crash_of_the_busiest_node_of_three_with_50_VIPs()
    {
        string prefix;
        ManyVipsResult result;
        using (var lab = new NetworkLab("e2e"))
        {
            prefix = lab.Prefix;
            var topology = VipTopology.Build(lab, 3);
            var trial = new ManyVipsTrial(topology, ManyVipAddresses.Make(50), line => output.WriteLine($"-- {line}"), CancellationToken.None)
            {
                RecoveryBound = Bound,
            };
            result = trial.Run(FailoverScenario.Crash);
            foreach (var line in result.Timeline) output.WriteLine(line);
        }
        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);

        Assert.True(result.Failure is null, $"the trial did not reach its fault: {result.Failure}\n{result.Logs}");
        Assert.Equal(50, result.HeldBeforeFault.Values.Sum());
        Assert.True(result.VictimVips > 0, $"no node held a VIP: {string.Join(", ", result.HeldBeforeFault)}");
        var timeline = string.Join('\n', result.Timeline);
        Assert.True(result.Duals.Count == 0, $"{result.Duals.Count} sweep(s) in which two nodes answered one VIP, the first: " +
            $"{result.Duals.FirstOrDefault()}\n{timeline}\n{result.Logs}");
        Assert.True(result.NotBack == 0, $"{result.NotBack} of {result.Victim!.Name}'s {result.VictimVips} VIPs were not answered by another node " +
            $"within {Bound.TotalSeconds:0} s\n{timeline}\n{result.Logs}");
        Assert.True(result.HeldByOneAtEnd == 50, $"at the end only {result.HeldByOneAtEnd} of 50 VIPs were answered by one live node\n{timeline}");
        output.WriteLine($"start to all answering {result.StartToAll?.TotalSeconds:0.0} s; {result.Victim!.Name} held {result.VictimVips}; " +
            $"back after {result.Failovers.Min().TotalMilliseconds:0}-{result.Failovers.Max().TotalMilliseconds:0} ms");
    }

    /// <summary>
    /// The sweep itself, without ActorVip: two hosts that both carry one address are seen as dual ownership, which is what
    /// the assertion above would fail on; an address on one host is not, and one on none is never answered.
    /// </summary>
    [Fact]
    public void The_sweep_sees_two_hosts_answering_for_one_address()
    {
        using var lab = new NetworkLab("e2e");
        var topology = VipTopology.Build(lab, 2);
        var vips = ManyVipAddresses.Make(3);
        foreach (var node in topology.Nodes) lab.Exec(node.Namespace, "ip", "addr", "add", $"{vips[0]}/32", "dev", "eth0").ThrowIfFailed("ip addr add");
        lab.Exec(topology.Nodes[0].Namespace, "ip", "addr", "add", $"{vips[1]}/32", "dev", "eth0").ThrowIfFailed("ip addr add");
        var index = int.Parse(lab.Exec(topology.Client, "cat", "/sys/class/net/eth0/ifindex").ThrowIfFailed("ifindex").Stdout.Trim());
        var mac = Convert.FromHexString(lab.Mac(topology.Client).Replace(":", ""));
        using var sweep = new ArpSweep(topology.Client, index, mac, VipTopology.ProbeSender, vips, System.Diagnostics.Stopwatch.StartNew(),
            TimeSpan.FromMilliseconds(20));
        Thread.Sleep(500);

        var duals = sweep.Duals();
        Assert.NotEmpty(duals);
        Assert.All(duals, d => Assert.Equal(vips[0], d.Vip));
        Assert.Equal(topology.Nodes.Select(n => n.Mac).Order(), duals[0].Macs.Order());
        var owners = sweep.Owners(TimeSpan.FromMilliseconds(100));
        Assert.Equal([topology.Nodes[0].Mac], owners[1]);
        Assert.Empty(owners[2]);
        Assert.Null(sweep.FirstAnswers[2]);
    }
}
