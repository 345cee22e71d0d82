using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// TESTING.md level 6: three (or five) real `actorvip run` processes with --nodes 3 (5), one per namespace on a bridge, and a
/// client pinging the VIP every 10 ms and asking who-has every 20 ms. Each scenario asserts the invariant (never
/// two MACs answering for the VIP in one probe window) and liveness (the VIP answers again within 10 s), and
/// prints the numbers; the timing itself is the benchmark's business. This is also the CI variant of the
/// failover benchmark (one trial per scenario, 3 nodes).
/// </summary>
public sealed class FailoverEndToEndTests(ITestOutputHelper output)
{
    [Fact] public void Crash_of_the_owner_SIGKILL_and_cable_cut() => Check(FailoverScenario.Crash);
    [Fact] public void Graceful_stop_of_the_owner_SIGTERM() => Check(FailoverScenario.Graceful);
    [Fact] public void Partition_of_the_owner_from_the_other_nodes() => Check(FailoverScenario.Partition);
    [Fact] public void Kill9_of_the_owners_process_alone() => Check(FailoverScenario.Kill9);
    [Fact] public void Freeze_of_the_owner_SIGSTOP_for_5_s() => Check(FailoverScenario.Freeze);

    /// <summary>Five nodes: the owner and the allocator's node killed together; the deputies place the VIP (issue 13 §1).</summary>
    [Fact] public void Rack_crash_of_the_owner_and_the_allocators_node_5_nodes() => Check(FailoverScenario.RackCrash, nodes: 5);

    /// <summary>
    /// The owner's frames to the others dropped for 10 s: the split brain resolver may remove both ends (indirectly
    /// connected), which with three nodes left one; a removed node rejoins in-process keeping its votes (RejoinPolicy).
    /// </summary>
    [Fact]
    public void One_way_drop_from_the_owner_for_10_s()
    {
        var result = Check(FailoverScenario.OneWay);
        var rejoined = Regex.Matches(result.Logs, "joining again at once").Count;
        var exited = Regex.Matches(result.Logs, "exiting so that the service manager").Count;
        output.WriteLine($"nodes that rejoined in-process: {rejoined}; exited: {exited}");
        // No service manager restarts nodes here: a removed node that exited would be a voter short for good.
        Assert.True(exited == 0, $"{exited} node(s) exited instead of joining again:\n{result.Logs}");
    }

    /// <summary>
    /// Every other node's frames to one node that is neither the owner nor the allocator's dropped for 10 s (nemesis D #60's shape): the
    /// owner keeps a majority of voters throughout, so the VIP must not go dark (the promise: under 1 s even if it moved). The resolver
    /// is to down the cut-off node alone; had it downed majority-side nodes, the owner's lease would run out until they rejoined.
    /// </summary>
    [Fact]
    public void One_way_drop_into_a_node_that_is_neither_owner_nor_allocator_does_not_darken_the_vip()
    {
        var result = Check(FailoverScenario.OneWayIn);
        Assert.True(result.Silence < TimeSpan.FromSeconds(1),
            $"the VIP was silent for {result.Silence?.TotalMilliseconds:0} ms though its owner kept a majority:\n" +
            $"{string.Join('\n', result.Timeline)}\n{result.Logs}");
    }

    private TrialResult Check(FailoverScenario scenario, int nodes = 3)
    {
        string prefix;
        List<int> pids = new();
        TrialResult result;
        using (var lab = new NetworkLab("e2e"))
        {
            prefix = lab.Prefix;
            var topology = VipTopology.Build(lab, nodes);
            var trial = new FailoverTrial(topology, new ActorVipService(), line => output.WriteLine($"-- {line}"), CancellationToken.None)
            {
                WhileServing = processes => pids.AddRange(processes.Values.Select(p => p.Pid)),
            };
            result = trial.Run(scenario);
            Report(result);
        }

        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !IsZombie(pid), $"process {pid} outlived the lab"));

        Assert.True(result.Failure is null, $"the trial did not reach its fault: {result.Failure}\n{result.Logs}");
        Assert.NotNull(result.OldOwner);
        Assert.True(result.DualOwnership.Count == 0,
            $"two nodes answered for the VIP at once ({result.DualOwnershipTime.TotalMilliseconds:0} " +
                $"ms):\n{string.Join('\n', result.Timeline)}\n{result.Logs}");
        Assert.True(result.Recovered && result.Silence < FailoverTrial.RecoveryBound,
            $"the VIP did not answer again within {FailoverTrial.RecoveryBound.TotalSeconds:0} s (silence {result.Silence?.TotalMilliseconds:0} " +
                $"ms):\n{string.Join('\n', result.Timeline)}\n{result.Logs}");
        Assert.True(result.NewOwners.Count > 0,
            $"no node answered who-has for the VIP at the end of the trial:\n{string.Join('\n', result.Timeline)}\n{result.Logs}");
        return result;
    }

    private void Report(TrialResult r)
    {
        foreach (var line in r.Timeline) output.WriteLine(line);
        output.WriteLine($"{r.Scenario.Name()}: failover {r.Silence?.TotalMilliseconds:0} ms (client's longest silence), dual ownership " +
            $"{r.DualOwnershipTime.TotalMilliseconds:0} ms, "
            + $"old owner {r.OldOwner?.Name}, new owner {string.Join(",", r.NewOwners.Select(n => n.Name))}, start to serving " +
                $"{r.StartToServing?.TotalSeconds:0.0} s");
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
