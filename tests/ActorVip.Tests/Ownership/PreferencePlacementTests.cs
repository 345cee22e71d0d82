using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// preferred-nodes, preempt and preempt-delay (issue 14 §3): a preferred node that returns takes its VIP back only with
/// preempt on, and only once it has been eligible for the whole delay; failover never waits for the delay. Each decision
/// says why each VIP is where it is.
/// </summary>
public class PreferencePlacementTests
{
    private static readonly NodeId Allocator = N4;
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(10);

    private static MemberView Up(NodeId node, TimeSpan? eligibleFor = null, bool reachable = true, bool canServe = true,
        BackendHealth health = BackendHealth.Unknown) =>
        new(node, HasVipRole: true, IsUp: true, IsReachable: reachable, health, CanServe: canServe) { EligibleFor = eligibleFor ?? TimeSpan.MaxValue };

    private static VipSpec Preferring(bool preempt, TimeSpan delay, params NodeId[] nodes) => new(Vip, nodes, preempt) { PreemptDelay = delay };

    private static PlacementDecision Decide(VipSpec spec, IReadOnlyList<MemberView> members, NodeId? owner) =>
        Placement.Decide([spec], members, Allocator,
            owner is null ? new Dictionary<string, Assignment>() : new Dictionary<string, Assignment> { [Vip] = new(owner, 5) }, 5);

    [Fact]
    public void Without_a_delay_a_returning_preferred_node_takes_the_vip_back_at_once()
    {
        var d = Decide(Preferring(true, TimeSpan.Zero, N1, N2), [Up(N1, TimeSpan.Zero), Up(N2), Up(N4)], owner: N2);

        Assert.Equal([new AssignmentChange(Vip, N2, N1, 6)], d.Changes);
        Assert.Equal(PlacementReason.Preferred, d.Reasons[Vip]);
        Assert.Null(d.NextPreemption);
    }

    [Fact]
    public void A_preferred_node_eligible_for_less_than_the_delay_waits_and_the_decision_says_how_long()
    {
        var d = Decide(Preferring(true, Delay, N1, N2), [Up(N1, TimeSpan.FromSeconds(3)), Up(N2), Up(N4)], owner: N2);

        Assert.Empty(d.Changes);
        Assert.Equal(new Assignment(N2, 5), d.Assignments[Vip]);
        Assert.Equal(PlacementReason.Kept, d.Reasons[Vip]);
        Assert.Equal(TimeSpan.FromSeconds(7), d.NextPreemption);
    }

    [Fact]
    public void A_preferred_node_eligible_for_the_whole_delay_takes_the_vip_back()
    {
        var d = Decide(Preferring(true, Delay, N1, N2), [Up(N1, Delay), Up(N2), Up(N4)], owner: N2);

        Assert.Equal([new AssignmentChange(Vip, N2, N1, 6)], d.Changes);
        Assert.Equal(PlacementReason.Preferred, d.Reasons[Vip]);
        Assert.Null(d.NextPreemption);
    }

    [Fact]
    public void Failover_never_waits_for_the_delay_a_fresh_preferred_node_gets_an_orphaned_vip_at_once()
    {
        var d = Decide(Preferring(true, Delay, N1, N2), [Up(N1, TimeSpan.Zero), Up(N2, reachable: false), Up(N4)], owner: N2);

        Assert.Equal([new AssignmentChange(Vip, N2, N1, 6)], d.Changes);
        Assert.Equal(PlacementReason.Failover, d.Reasons[Vip]);
    }

    [Fact]
    public void A_settled_node_more_preferred_than_the_owner_takes_the_vip_while_a_fresher_one_still_waits()
    {
        var d = Decide(Preferring(true, Delay, N1, N2, N3), [Up(N1, TimeSpan.FromSeconds(1)), Up(N2, Delay), Up(N3), Up(N4)], owner: N3);

        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Equal(TimeSpan.FromSeconds(9), d.NextPreemption);
    }

    [Fact]
    public void Without_preempt_the_owner_keeps_the_vip_however_long_the_preferred_node_has_been_back()
    {
        var d = Decide(Preferring(false, TimeSpan.Zero, N1, N2), [Up(N1), Up(N2), Up(N4)], owner: N2);

        Assert.Empty(d.Changes);
        Assert.Equal(PlacementReason.Kept, d.Reasons[Vip]);
    }

    [Fact]
    public void An_unplaced_vip_goes_to_the_first_eligible_preferred_node_without_waiting()
    {
        var d = Decide(Preferring(true, Delay, N2, N1), [Up(N1), Up(N2, TimeSpan.Zero), Up(N4)], owner: null);

        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.Preferred, d.Reasons[Vip]);
    }

    [Fact]
    public void Without_a_preference_a_new_vip_is_spread()
    {
        var d = Decide(new VipSpec(Vip), [Up(N1), Up(N2), Up(N4)], owner: null);

        Assert.Equal(PlacementReason.Spread, d.Reasons[Vip]);
    }

    [Fact]
    public void An_owner_that_lost_its_link_is_left_for_the_link()
    {
        var d = Decide(new VipSpec(Vip), [Up(N1, canServe: false), Up(N2), Up(N4)], owner: N1);

        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.Link, d.Reasons[Vip]);
    }

    [Fact]
    public void An_owner_whose_kernel_fence_is_broken_is_left_for_the_fence_not_the_link()
    {
        var broken = Up(N1, canServe: false) with { CannotServeCause = IneligibleCause.Fence };
        var d = Decide(new VipSpec(Vip), [broken, Up(N2), Up(N4)], owner: N1);

        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.Fence, d.Reasons[Vip]);
        Assert.Equal("fence", PlacementReasons.Text(d.Reasons[Vip]));
    }

    [Fact]
    public void An_owner_whose_health_failed_is_left_for_health()
    {
        var spec = new VipSpec(Vip, [], MoveWhenNoneHealthy: true);
        var d = Decide(spec, [Up(N1, health: BackendHealth.Failing), Up(N2, health: BackendHealth.Healthy), Up(N4)], owner: N1);

        Assert.Equal(N2, d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.Health, d.Reasons[Vip]);
    }

    [Fact]
    public void The_allocators_own_node_hands_its_vip_away_and_says_so()
    {
        var d = Decide(new VipSpec(Vip), [Up(N1), Up(N4)], owner: N4);

        Assert.Equal(N1, d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.AwayFromAllocator, d.Reasons[Vip]);
    }

    [Fact]
    public void With_no_eligible_node_the_vip_is_unplaced()
    {
        var d = Decide(new VipSpec(Vip), [Up(N1, reachable: false)], owner: N1);

        Assert.Null(d.Assignments[Vip].Owner);
        Assert.Equal(PlacementReason.Unplaced, d.Reasons[Vip]);
    }

    [Fact]
    public void A_node_that_flaps_starts_its_eligibility_again_from_zero()
    {
        var since = new EligibleSince();
        var t0 = TimeSpan.FromSeconds(100);
        since.Stamp([Up(N1)], t0);
        Assert.Equal(TimeSpan.FromSeconds(8), since.Stamp([Up(N1)], t0 + TimeSpan.FromSeconds(8)).Single().EligibleFor);
        since.Stamp([Up(N1, canServe: false)], t0 + TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.Zero, since.Stamp([Up(N1)], t0 + TimeSpan.FromSeconds(10)).Single().EligibleFor);
        Assert.Equal(TimeSpan.FromSeconds(5), since.Stamp([Up(N1)], t0 + TimeSpan.FromSeconds(15)).Single().EligibleFor);
    }

    [Fact]
    public void A_node_that_left_the_membership_starts_again_from_zero_when_it_returns()
    {
        var since = new EligibleSince();
        since.Stamp([Up(N1), Up(N2)], TimeSpan.FromSeconds(1));
        since.Stamp([Up(N2)], TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, since.Stamp([Up(N1), Up(N2)], TimeSpan.FromSeconds(3)).Single(m => m.Node == N1).EligibleFor);
    }
}
