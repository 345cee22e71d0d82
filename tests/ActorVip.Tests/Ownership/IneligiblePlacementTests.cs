using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// A node that said it cannot hold VIPs (its VIP interface is gone, down or without carrier: issue 14 §2) is given none
/// and keeps none, however preferred, still renewing or lightly loaded it is.
/// </summary>
public class IneligiblePlacementTests
{
    private static readonly NodeId Allocator = N4;

    private static MemberView Up(NodeId node, bool canServe = true, bool renewing = false) =>
        new(node, HasVipRole: true, IsUp: true, IsReachable: true, BackendHealth.Unknown, IsRenewing: renewing, CanServe: canServe);

    private static PlacementDecision Decide(IReadOnlyList<MemberView> members, NodeId? owner, VipSpec? spec = null) =>
        Placement.Decide([spec ?? new VipSpec(Vip)], members, Allocator,
            owner is null ? new Dictionary<string, Assignment>() : new Dictionary<string, Assignment> { [Vip] = new(owner, 5) }, 5);

    [Fact]
    public void An_owner_that_cannot_serve_loses_its_vip_to_one_that_can_even_while_it_renews()
    {
        var d = Decide([Up(N1, canServe: false, renewing: true), Up(N2), Up(N4)], owner: N1);

        Assert.Equal(new Assignment(N2, 6), d.Assignments[Vip]);
        Assert.Equal([new AssignmentChange(Vip, N1, N2, 6)], d.Changes);
    }

    [Fact]
    public void A_node_that_cannot_serve_is_never_chosen_even_when_preferred()
    {
        var d = Decide([Up(N1, canServe: false), Up(N2), Up(N4)], owner: null, new VipSpec(Vip, [N1], Preempt: true));

        Assert.Equal(N2, d.Assignments[Vip].Owner);
    }

    [Fact]
    public void With_no_node_that_can_serve_the_vip_has_no_owner()
    {
        var d = Decide([Up(N1, canServe: false, renewing: true), Up(N4, canServe: false)], owner: N1);

        Assert.Equal(new Assignment(null, 6), d.Assignments[Vip]);
    }

    [Fact]
    public void A_node_that_cannot_serve_may_neither_keep_nor_be_given_a_vip()
    {
        // It is Up and its voter answers (so it counts toward the allocator's majority: VoterContact); only its VIP
        // interface is down.
        Assert.False(Up(N1, canServe: false).MayKeep);
        Assert.False(Up(N1, canServe: false).IsEligible);
    }
}
