using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// Health tracking (issue 14 §1, docs/HEALTH.md): a VIP with health checks is never placed on a node that fails them or
/// is not yet known healthy while a healthy node exists; an owner that fails them hands the VIP over to a healthy node;
/// with no healthy node the owner keeps it (when-none-healthy = keep) or it is released (release).
/// </summary>
public class HealthTrackedPlacementTests
{
    private const string Other = "192.0.2.101";
    private static readonly NodeId Allocator = N4;

    private static MemberView Up(NodeId node) => new(node, HasVipRole: true, IsUp: true, IsReachable: true, BackendHealth.Unknown);

    private static VipHealthView View(bool release = false, params (NodeId Node, VipHealth Health)[] verdicts) =>
        new(new Dictionary<string, IReadOnlyDictionary<NodeId, VipHealth>> { [Vip] = verdicts.ToDictionary(v => v.Node, v => v.Health) },
            release ? new HashSet<string> { Vip } : new HashSet<string>());

    private static PlacementDecision Decide(IReadOnlyList<MemberView> members, NodeId? owner, VipHealthView health, VipSpec? spec = null) =>
        Placement.Decide([spec ?? new VipSpec(Vip)], members, Allocator,
            owner is null ? new Dictionary<string, Assignment>() : new Dictionary<string, Assignment> { [Vip] = new(owner, 5) }, 5, health);

    [Fact]
    public void A_new_vip_goes_to_the_healthy_node_not_to_a_failing_or_unknown_one()
    {
        var d = Decide([Up(N1), Up(N2), Up(N3), Up(N4)], owner: null,
            View(false, (N1, VipHealth.Failing), (N3, VipHealth.Healthy), (N4, VipHealth.Failing)));

        Assert.Equal(N3, d.Assignments[Vip].Owner);
    }

    [Fact]
    public void An_owner_that_fails_its_checks_hands_over_to_a_healthy_node_at_a_new_epoch()
    {
        var d = Decide([Up(N1), Up(N2), Up(N3), Up(N4)], owner: N1,
            View(false, (N1, VipHealth.Failing), (N2, VipHealth.Unknown), (N3, VipHealth.Healthy)));

        Assert.Equal(new Assignment(N3, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N1, N3, 6)], d.Changes);
        // `actorvip status` says why: moved for health, not spread or failover.
        Assert.Equal(PlacementReason.Health, d.Reasons[Vip]);
    }

    [Fact]
    public void With_no_healthy_node_a_failing_owner_keeps_the_vip_by_default()
    {
        var d = Decide([Up(N1), Up(N2), Up(N4)], owner: N1, View(false, (N1, VipHealth.Failing), (N2, VipHealth.Failing)));

        Assert.Equal(new Assignment(N1, 5), d.Assignments[Vip]);
        Assert.Empty(d.Changes);
    }

    [Fact]
    public void With_no_healthy_node_and_release_a_failing_owner_loses_the_vip_to_nobody()
    {
        var d = Decide([Up(N1), Up(N2), Up(N4)], owner: N1, View(true, (N1, VipHealth.Failing), (N2, VipHealth.Failing)));

        Assert.Equal(new Assignment(null, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N1, null, 6)], d.Changes);
    }

    [Fact]
    public void With_release_a_vip_is_not_placed_before_some_node_is_known_healthy()
    {
        var d = Decide([Up(N1), Up(N2), Up(N4)], owner: null, View(true, (N1, VipHealth.Unknown)));

        Assert.Equal(new Assignment(null, 0), d.Assignments[Vip]);
        Assert.Empty(d.Changes);
    }

    [Fact]
    public void An_owner_not_yet_known_healthy_keeps_its_vip_so_a_new_allocator_moves_nothing()
    {
        // A new allocator has not heard the owner's report yet: moving on "unknown" would move every VIP at each singleton hand-over.
        var d = Decide([Up(N1), Up(N2), Up(N4)], owner: N1, View(false, (N2, VipHealth.Healthy)));

        Assert.Equal(new Assignment(N1, 5), d.Assignments[Vip]);
    }

    [Fact]
    public void Preempt_never_takes_the_vip_back_to_a_preferred_node_that_fails_its_checks()
    {
        var d = Decide([Up(N1), Up(N2), Up(N4)], owner: N2, View(false, (N1, VipHealth.Failing), (N2, VipHealth.Healthy)),
            new VipSpec(Vip, [N1], Preempt: true));

        Assert.Equal(new Assignment(N2, 5), d.Assignments[Vip]);
    }

    [Fact]
    public void The_allocators_own_healthy_node_keeps_the_vip_rather_than_hand_it_to_a_failing_node()
    {
        var d = Decide([Up(N1), Up(N4)], owner: N4, View(false, (N1, VipHealth.Failing), (N4, VipHealth.Healthy)));

        Assert.Equal(new Assignment(N4, 5), d.Assignments[Vip]);
    }

    [Fact]
    public void A_vip_without_checks_is_placed_as_before_whatever_another_vips_checks_say()
    {
        var d = Placement.Decide([new VipSpec(Vip), new VipSpec(Other)], [Up(N1), Up(N2), Up(N4)], Allocator,
            new Dictionary<string, Assignment> { [Vip] = new(N1, 5), [Other] = new(N1, 5) }, 5,
            View(false, (N1, VipHealth.Failing), (N2, VipHealth.Healthy)));

        Assert.Equal(new Assignment(N2, 6), d.Assignments[Vip]);
        Assert.Equal(new Assignment(N1, 5), d.Assignments[Other]);
    }
}
