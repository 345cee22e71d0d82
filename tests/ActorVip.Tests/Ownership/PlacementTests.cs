using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

public class PlacementTests
{
    private static readonly NodeId Allocator = N4;

    private static MemberView Up(NodeId node, bool healthy = true) => new(node, hasVipRole: true, isUp: true, isReachable: true, backendHealthy: healthy);

    private static NodeId? Node(string? name) => name switch
    {
        null => null,
        "n1" => N1,
        "n2" => N2,
        "n3" => N3,
        "n4" => N4,
        _ => throw new ArgumentException(name),
    };

    private static PlacementDecision Decide(IReadOnlyList<MemberView> members, VipSpec? spec = null,
        NodeId? owner = null, long epoch = 5, long counter = 5) =>
        Placement.Decide([spec ?? new VipSpec(Vip)], members, Allocator,
            owner is null ? new Dictionary<string, Assignment>() : new Dictionary<string, Assignment> { [Vip] = new(owner, epoch) },
            counter);

    [Theory]
    [InlineData(true, true, true, "n1")]
    [InlineData(false, true, true, "n4")]
    [InlineData(true, false, true, "n4")]
    [InlineData(true, true, false, "n4")]
    [InlineData(false, false, false, "n4")]
    public void Only_up_reachable_vip_nodes_are_eligible(bool role, bool up, bool reachable, string expected)
    {
        // n1 would be chosen over the allocator's own node n4 whenever it is eligible.
        var d = Decide([new MemberView(N1, hasVipRole: role, isUp: up, isReachable: reachable, backendHealthy: true), Up(N4)]);
        Assert.Equal(Node(expected), d.Assignments[Vip].Owner);
    }

    [Fact]
    public void No_eligible_node_means_no_owner_and_no_new_epoch_when_there_was_none()
    {
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: false, isReachable: true, backendHealthy: true)]);
        Assert.Equal(new Assignment(null, 0), d.Assignments[Vip]);
        Assert.Empty(d.Changes);
        Assert.Equal(5, d.EpochCounter);
    }

    [Fact]
    public void Losing_the_last_eligible_node_removes_the_owner_under_a_new_epoch()
    {
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: true, isReachable: false, backendHealthy: true)], owner: N1);
        Assert.Equal(new Assignment(null, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N1, null, 6)], d.Changes);
        Assert.Equal(6, d.EpochCounter);
    }

    [Theory]
    // owner n2 is eligible; n1 is eligible, healthy and first in the preference list.
    [InlineData(false, true, true, "n2")]   // no-preempt: the owner keeps it
    [InlineData(false, false, true, "n2")]  // no-preempt keeps even an owner whose backend fails
    [InlineData(true, true, true, "n1")]    // preempt: the more preferred node takes it back
    [InlineData(true, true, false, "n2")]   // preempt, but n1's backend fails: n1 is not the better choice
    [InlineData(true, false, true, "n1")]   // preempt, owner's backend fails: n1 is better on every count
    public void The_owner_keeps_the_vip_unless_preempt_finds_a_more_preferred_node(bool preempt, bool ownerHealthy, bool n1Healthy, string expected)
    {
        var spec = new VipSpec(Vip, [N1, N2], preempt);
        var d = Decide([Up(N1, n1Healthy), Up(N2, ownerHealthy), Up(N4)], spec, owner: N2);
        Assert.Equal(Node(expected), d.Assignments[Vip].Owner);
        Assert.Equal(expected == "n2" ? 5 : 6, d.Assignments[Vip].Epoch);
        Assert.Equal(expected == "n2" ? 0 : 1, d.Changes.Count);
    }

    [Fact]
    public void Preempt_never_moves_to_a_less_or_equally_preferred_node()
    {
        // n3 is not in the list, like the owner n2: equal rank, so no move although n3 has fewer VIPs.
        var spec = new VipSpec(Vip, [N1], true);
        var d = Decide([Up(N2), Up(N3)], spec, owner: N2);
        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Empty(d.Changes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_vip_on_the_allocators_own_node_moves_to_another_eligible_node(bool preempt)
    {
        // One crash of n4 would otherwise take the owner and the allocator together: ~10 s dark (issue 13).
        var spec = new VipSpec(Vip, [N4, N1], preempt);
        var d = Decide([Up(N4), Up(N1)], spec, owner: N4);
        Assert.Equal(new Assignment(N1, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N4, N1, 6)], d.Changes);
    }

    [Theory]
    [InlineData("alone", "n4")]                 // nobody else is eligible
    [InlineData("others unhealthy", "n4")]      // the others' backends fail and n4's serve
    [InlineData("others unreachable", "n4")]
    [InlineData("both unhealthy", "n1")]        // no worse elsewhere: it moves
    public void A_vip_stays_on_the_allocators_node_only_when_no_other_node_serves_as_well(string situation, string expected)
    {
        MemberView[] members = situation switch
        {
            "alone" => [Up(N4)],
            "others unhealthy" => [Up(N4), Up(N1, healthy: false)],
            "others unreachable" => [Up(N4), new MemberView(N1, hasVipRole: true, isUp: true, isReachable: false, backendHealthy: true)],
            _ => [Up(N4, healthy: false), Up(N1, healthy: false)],
        };
        var d = Decide(members, owner: N4);
        Assert.Equal(Node(expected), d.Assignments[Vip].Owner);
    }

    [Fact]
    public void An_ineligible_owner_is_replaced_under_a_new_epoch()
    {
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: true, isReachable: false, backendHealthy: true), Up(N2)], owner: N1, epoch: 3, counter: 5);
        Assert.Equal(new Assignment(N2, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N1, N2, 6)], d.Changes);
    }

    [Fact]
    public void An_owner_that_still_renews_keeps_the_vip_while_another_node_calls_it_unreachable()
    {
        // As a partition heals, one node's failure detector may still hold the owner unreachable for a moment;
        // its renewals reach the allocator's voter, so moving the VIP would only cost a handover.
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: true, isReachable: false, backendHealthy: true, isRenewing: true), Up(N2)], owner: N1,
            epoch: 3, counter: 5);
        Assert.Equal(new Assignment(N1, 3), d.Assignments[Vip]);
        Assert.Empty(d.Changes);
    }

    [Theory]
    [InlineData(true, false, "n2")]   // up but neither reachable nor renewing: not kept
    [InlineData(false, true, "n2")]   // renewing but down or leaving: not kept
    public void Renewing_keeps_only_an_up_owner(bool up, bool renewing, string expected)
    {
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: up, isReachable: false, backendHealthy: true, isRenewing: renewing), Up(N2)], owner: N1);
        Assert.Equal(Node(expected), d.Assignments[Vip].Owner);
    }

    [Fact]
    public void A_renewing_but_unreachable_node_is_not_given_a_new_vip()
    {
        // n1 holds another VIP and renews it, but someone calls it unreachable: the free VIP goes to the allocator's node.
        var d = Decide([new MemberView(N1, hasVipRole: true, isUp: true, isReachable: false, backendHealthy: true, isRenewing: true), Up(N4)]);
        Assert.Equal(N4, d.Assignments[Vip].Owner);
    }

    // Candidates n1, n2 (and the allocator's node n4 where listed); each row isolates one rule of the order.
    public static TheoryData<string, MemberView[], NodeId[], string> ChoiceOrder => new()
    {
        { "healthy backend beats preference", [Up(N1, healthy: false), Up(N2)], [N1, N2], "n2" },
        { "healthy backend beats avoiding self", [Up(N1, healthy: false), Up(N4)], [], "n4" },
        { "avoiding self beats preference", [Up(N4), Up(N2)], [N4, N2], "n2" },
        { "self when it is the only candidate", [Up(N4)], [N1], "n4" },
        { "self when it is the only healthy one", [Up(N4), Up(N1, healthy: false)], [N1], "n4" },
        { "preference order", [Up(N1), Up(N2)], [N2, N1], "n2" },
        { "listed beats unlisted", [Up(N1), Up(N2)], [N2], "n2" },
        { "NodeId ordinal breaks ties", [Up(N2), Up(N1)], [], "n1" },
        { "all unhealthy: still placed", [Up(N2, healthy: false), Up(N1, healthy: false)], [], "n1" },
    };

    [Theory]
    [MemberData(nameof(ChoiceOrder))]
    public void The_best_eligible_node_is_chosen_in_rule_order(string why, MemberView[] members, NodeId[] preference, string expected)
    {
        var d = Decide(members, new VipSpec(Vip, preference));
        Assert.True(Node(expected) == d.Assignments[Vip].Owner, why);
    }

    [Fact]
    public void Vips_spread_over_the_fewest_loaded_nodes_after_preference()
    {
        var specs = new[] { "192.0.2.101", "192.0.2.102", "192.0.2.103", "192.0.2.104", "192.0.2.105" }.Select(v => new VipSpec(v)).ToList();
        var current = new Dictionary<string, Assignment> { ["192.0.2.105"] = new(N1, 2) };
        var d = Placement.Decide(specs, [Up(N1), Up(N2), Up(N3), Up(N4)], Allocator, current, 2);
        var perNode = d.Assignments.Values.GroupBy(a => a.Owner!.Value).ToDictionary(g => g.Key, g => g.Count());
        // The kept VIP counts first, the allocator's node is avoided: 5 VIPs over n1..n3 as 2/2/1, n1 included.
        Assert.Equal(new Dictionary<NodeId, int> { [N1] = 2, [N2] = 2, [N3] = 1 }, perNode);
        Assert.Equal(new Assignment(N1, 2), d.Assignments["192.0.2.105"]);
    }

    [Fact]
    public void Preference_beats_spread()
    {
        var specs = new[] { new VipSpec("192.0.2.101", [N1]), new VipSpec("192.0.2.102", [N1]) };
        var d = Placement.Decide(specs, [Up(N1), Up(N2)], Allocator, new Dictionary<string, Assignment>(), 0);
        Assert.All(d.Assignments.Values, a => Assert.Equal(N1, a.Owner));
    }

    [Fact]
    public void Each_change_takes_the_next_epoch_in_vip_order_and_epochs_only_grow()
    {
        var specs = new[] { new VipSpec("192.0.2.103"), new VipSpec("192.0.2.101"), new VipSpec("192.0.2.102") };
        var current = new Dictionary<string, Assignment>
        {
            ["192.0.2.101"] = new(N3, 1),   // N3 is gone: moves
            ["192.0.2.102"] = new(N1, 9),   // kept: same epoch
            ["192.0.2.103"] = new(null, 12), // placed now, above the highest epoch even with a stale counter; n1 and n2 tie at one VIP: ordinal
        };
        var d = Placement.Decide(specs, [Up(N1), Up(N2)], Allocator, current, 4);
        Assert.Equal(
            [new AssignmentChange("192.0.2.101", N3, N2, 5), new AssignmentChange("192.0.2.103", null, N1, 13)],
            d.Changes);
        Assert.Equal(new Assignment(N1, 9), d.Assignments["192.0.2.102"]);
        Assert.Equal(13, d.EpochCounter);
    }

    [Fact]
    public void A_vip_no_longer_configured_is_taken_from_its_owner_once_then_forgotten()
    {
        var current = new Dictionary<string, Assignment> { ["192.0.2.200"] = new(N1, 3), ["192.0.2.201"] = new(null, 4) };
        var first = Placement.Decide([], [Up(N1)], Allocator, current, 4);
        Assert.Equal([new AssignmentChange("192.0.2.200", N1, null, 5)], first.Changes);
        Assert.Equal(["192.0.2.200"], first.Assignments.Keys);
        var second = Placement.Decide([], [Up(N1)], Allocator, first.Assignments, first.EpochCounter);
        Assert.Empty(second.Assignments);
        Assert.Empty(second.Changes);
    }

    [Fact]
    public void The_decision_does_not_depend_on_input_order()
    {
        var specs = Enumerable.Range(1, 6).Select(i => new VipSpec($"192.0.2.{100 + i}", i % 2 == 0 ? [N2] : [])).ToList();
        var members = new[] { Up(N1), Up(N2, healthy: false), Up(N3), Up(N4) };
        var a = Placement.Decide(specs, members, Allocator, new Dictionary<string, Assignment>(), 0);
        var b = Placement.Decide(specs.AsEnumerable().Reverse().ToList(), members.Reverse().ToArray(), Allocator, new Dictionary<string, Assignment>(), 0);
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Changes, b.Changes);
    }

    [Fact]
    public void Listing_a_member_or_a_vip_twice_is_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => Decide([Up(N1), Up(N1)]));
        Assert.Throws<ArgumentException>(() =>
            Placement.Decide([new VipSpec(Vip), new VipSpec(Vip)], [Up(N1)], Allocator, new Dictionary<string, Assignment>(), 0));
    }
}
