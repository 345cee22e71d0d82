using System.Diagnostics;
using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using Xunit.Abstractions;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// <see cref="Placement.Decide"/> at the scale issue 15 names, 1,000 VIPs: spread evenly by the fewest-VIPs rule over the
/// nodes other than the allocator's own, only a lost node's VIPs move, and nothing moves back when it returns. The time
/// one decision takes is printed (docs/BENCHMARKS.md, "Many VIPs"), not asserted.
/// </summary>
public class ManyVipsPlacementTests(ITestOutputHelper output)
{
    private const int VipCount = 1000;

    private static readonly IReadOnlyList<VipSpec> Vips =
        Enumerable.Range(0, VipCount).Select(i => new VipSpec($"10.{i / 250}.{i % 250}.1")).ToList();

    private static MemberView Up(NodeId node) => new(node, hasVipRole: true, isUp: true, isReachable: true, backendHealthy: true);

    private PlacementDecision Decide(NodeId[] nodes, IReadOnlyDictionary<string, Assignment> current, long counter, string what)
    {
        // The fastest of five: the machine is shared, and the first call of a run pays for the JIT.
        var members = nodes.Select(Up).ToList();
        var fastest = TimeSpan.MaxValue;
        PlacementDecision? decision = null;
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            decision = Placement.Decide(Vips, members, nodes[0], current, counter);
            fastest = watch.Elapsed < fastest ? watch.Elapsed : fastest;
        }
        output.WriteLine($"{what}: {fastest.TotalMilliseconds:F2} ms (fastest of 5), {decision!.Changes.Count} changes");
        return decision;
    }

    private static Dictionary<NodeId, int> Load(PlacementDecision d) =>
        d.Assignments.Values.Where(a => a.Owner is not null).GroupBy(a => a.Owner!.Value).ToDictionary(g => g.Key, g => g.Count());

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void A_thousand_vips_are_spread_evenly_and_stay_put_when_a_node_returns(int count)
    {
        var nodes = new[] { N1, N2, N3, N4, N5 }.Take(count).ToArray();
        var first = Decide(nodes, new Dictionary<string, Assignment>(), 0, $"{VipCount} VIPs on {count} nodes, from nothing");
        Assert.Equal(VipCount, first.Changes.Count);
        // The allocator's own node (nodes[0]) gets none while others can serve; the others differ by at most one.
        var load = Load(first);
        Assert.False(load.ContainsKey(nodes[0]));
        Assert.Equal(count - 1, load.Count);
        Assert.InRange(load.Values.Max() - load.Values.Min(), 0, 1);

        var again = Decide(nodes, first.Assignments, first.EpochCounter, "same members again");
        Assert.Empty(again.Changes);

        // The last node is lost: only its VIPs move, spread over the rest.
        var lost = nodes[^1];
        var without = Decide(nodes[..^1], first.Assignments, first.EpochCounter, $"node {lost} lost");
        Assert.Equal(load[lost], without.Changes.Count);
        Assert.All(without.Changes, c => Assert.Equal(lost, c.From));
        var rest = Load(without);
        Assert.InRange(rest.Values.Max() - rest.Values.Min(), 0, 1);

        // It returns: every owner keeps its VIPs, nothing flaps back.
        var back = Decide(nodes, without.Assignments, without.EpochCounter, $"node {lost} back");
        Assert.Empty(back.Changes);
    }

    [Fact]
    public void A_forming_cluster_spreads_the_vips_the_allocators_node_took_alone_over_the_nodes_that_come_up_next()
    {
        // At a cluster's start the allocator's node (n1) is the only member and takes every VIP.
        var alone = Placement.Decide(Vips, [Up(N1)], N1, new Dictionary<string, Assignment>(), 0, configuredNodes: 3);
        Assert.Equal(VipCount, Load(alone)[N1]);

        // n2 comes Up a moment later: the VIPs wait on n1 (served) for the rest of the cluster, and the allocator is told when to look again.
        MemberView Joined(NodeId node, double msAgo) => Up(node) with { EligibleFor = TimeSpan.FromMilliseconds(msAgo) };
        var second = Placement.Decide(Vips, [Up(N1), Joined(N2, 300)], N1, alone.Assignments, alone.EpochCounter, configuredNodes: 3);
        Assert.Empty(second.Changes);
        Assert.Equal(Placement.FormationSettle - TimeSpan.FromMilliseconds(300), second.NextPreemption);

        // n3 comes Up too: every configured node is there, the VIPs leave n1 and are spread over n2 and n3.
        var third = Placement.Decide(Vips, [Up(N1), Joined(N2, 900), Joined(N3, 10)], N1, second.Assignments, second.EpochCounter, configuredNodes: 3);
        Assert.Equal(VipCount, third.Changes.Count);
        Assert.Equal(new Dictionary<NodeId, int> { [N2] = VipCount / 2, [N3] = VipCount / 2 }, Load(third));

        // A third node that never comes holds the move no longer than the settle time.
        var late = Placement.Decide(Vips, [Up(N1), Joined(N2, Placement.FormationSettle.TotalMilliseconds)], N1, alone.Assignments,
            alone.EpochCounter, configuredNodes: 3);
        Assert.Equal(VipCount, Load(late)[N2]);
    }
}
