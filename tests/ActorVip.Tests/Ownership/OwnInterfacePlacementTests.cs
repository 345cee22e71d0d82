using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// A node whose VIPs live on two interfaces, one of them down (issue 14 §6), said it cannot hold the VIPs of that interface
/// (<see cref="MemberView.Unservable"/>): it is given none of them and keeps none, and holds the others as before. The
/// preempt delay of such a VIP counts from when its interface came back.
/// </summary>
public class OwnInterfacePlacementTests
{
    private const string Other = "198.51.100.10";
    private static readonly NodeId Allocator = N4;

    private static MemberView Up(NodeId node, bool renewing = false, params string[] unservable) =>
        new(node, HasVipRole: true, IsUp: true, IsReachable: true, BackendHealth.Unknown, IsRenewing: renewing)
        {
            Unservable = unservable.ToHashSet(),
        };

    private static PlacementDecision Decide(IReadOnlyList<MemberView> members, IReadOnlyList<VipSpec>? specs = null,
        params (string Vip, NodeId Owner)[] owners) =>
        Placement.Decide(specs ?? [new VipSpec(Vip), new VipSpec(Other)], members, Allocator,
            owners.ToDictionary(o => o.Vip, o => new Assignment(o.Owner, 5)), 5);

    [Fact]
    public void An_owner_that_cannot_hold_one_vip_loses_that_one_only_and_says_link()
    {
        var d = Decide([Up(N1, renewing: true, Other), Up(N2), Up(N4)], owners: [(Vip, N1), (Other, N1)]);

        Assert.Equal(new Assignment(N1, 5), d.Assignments[Vip]);
        Assert.Equal(N2, d.Assignments[Other].Owner);
        Assert.Equal([new AssignmentChange(Other, N1, N2, 6)], d.Changes);
        Assert.Equal(PlacementReason.Link, d.Reasons[Other]);
    }

    [Fact]
    public void A_node_is_not_given_a_vip_it_cannot_hold_however_preferred_but_still_the_others()
    {
        var specs = new[] { new VipSpec(Vip, [N1], Preempt: true), new VipSpec(Other, [N1], Preempt: true) };
        var d = Decide([Up(N1, false, Other), Up(N2), Up(N4)], specs);

        Assert.Equal(N1, d.Assignments[Vip].Owner);
        Assert.Equal(N2, d.Assignments[Other].Owner);
    }

    [Fact]
    public void With_no_node_that_can_hold_it_that_vip_alone_is_unplaced()
    {
        var d = Decide([Up(N1, false, Other), Up(N4, false, Other)], owners: [(Other, N1)]);

        Assert.Null(d.Assignments[Other].Owner);
        Assert.NotNull(d.Assignments[Vip].Owner);
    }

    [Fact]
    public void A_vips_interface_that_flaps_starts_its_preempt_delay_again_from_zero_and_the_nodes_other_vips_do_not()
    {
        var since = new EligibleSince();
        var t0 = TimeSpan.FromSeconds(100);
        since.Stamp([Up(N1)], t0);
        since.Stamp([Up(N1, false, Other)], t0 + TimeSpan.FromSeconds(8));
        var back = since.Stamp([Up(N1)], t0 + TimeSpan.FromSeconds(10)).Single();
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(10)), (back.EligibleForVip(Other), back.EligibleForVip(Vip)));
        var later = since.Stamp([Up(N1)], t0 + TimeSpan.FromSeconds(13)).Single();
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(13)), (later.EligibleForVip(Other), later.EligibleForVip(Vip)));

        // The preferred node takes back its VIP of the other interface only once that has been up for the delay.
        var spec = new VipSpec(Other, [N1], Preempt: true) { PreemptDelay = TimeSpan.FromSeconds(5) };
        var d = Placement.Decide([spec], [later, Up(N2)], Allocator, new Dictionary<string, Assignment> { [Other] = new(N2, 5) }, 5);
        Assert.Equal(N2, d.Assignments[Other].Owner);
        Assert.Equal(TimeSpan.FromSeconds(2), d.NextPreemption);
    }
}
