using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// Live reconfiguration (issue 14 §5): each node declares the VIPs it is configured for (<see cref="VipDeclaration"/>); the
/// allocator places the union of what its Up members declare, each VIP only on nodes that declare it
/// (<see cref="DeclaredVips.Merge"/>, <see cref="MemberView.Declared"/>).
/// </summary>
public class DeclaredVipsTests
{
    private const string Rack = "198.51.100.10";
    private const string Gone = "198.51.100.11";
    private static readonly NodeId Allocator = N1;
    private static readonly NodeId[] Voters = [N1, N2, N3];

    private static MemberView Up(NodeId node, IReadOnlySet<string>? declared = null, bool renewing = false) =>
        new(node, HasVipRole: true, IsUp: true, IsReachable: true, BackendHealth.Unknown, IsRenewing: renewing) { Declared = declared };

    private static Dictionary<string, Assignment> Owners(params (string Vip, NodeId Owner)[] owners) =>
        owners.ToDictionary(o => o.Vip, o => new Assignment(o.Owner, 5));

    private static DeclaredVips Merge(Dictionary<NodeId, IReadOnlyList<VipSpec>> declarations, IReadOnlyDictionary<string, Assignment>? current = null,
        NodeId[]? up = null) =>
        DeclaredVips.Merge(Allocator, [new VipSpec(Vip)], declarations, up ?? [N1, N2, N3], Voters, current ?? Owners());

    [Fact]
    public void A_vip_is_placed_only_on_nodes_that_declare_it_however_preferred_the_others()
    {
        var specs = new[] { new VipSpec(Vip), new VipSpec(Rack, [N3], Preempt: true) };
        var d = Placement.Decide(specs, [Up(N1, Set(Vip)), Up(N2, Set(Vip, Rack)), Up(N3, Set(Vip))], Allocator, Owners(), 5);

        Assert.Equal(N2, d.Assignments[Rack].Owner);
        Assert.Equal(PlacementReason.Spread, d.Reasons[Rack]);
    }

    [Fact]
    public void An_owner_that_no_longer_declares_a_vip_loses_it_to_a_node_that_does()
    {
        var d = Placement.Decide([new VipSpec(Rack)], [Up(N1, Set(Vip)), Up(N2, Set(Vip), renewing: true), Up(N3, Set(Vip, Rack))], Allocator,
            Owners((Rack, N2)), 5);

        Assert.Equal([new AssignmentChange(Rack, N2, N3, 6)], d.Changes);
    }

    [Fact]
    public void The_allocator_places_the_union_of_what_up_members_declare_and_each_member_serves_only_its_own()
    {
        var merged = Merge(new() { [N2] = [new VipSpec(Vip), new VipSpec(Rack)], [N3] = [new VipSpec(Vip)] });

        Assert.Equal([Vip, Rack], merged.Specs.Select(s => s.Vip));
        Assert.Equal(Set(Vip), merged.Declared[N1]);
        Assert.Equal(Set(Vip, Rack), merged.Declared[N2]);
        Assert.Equal(Set(Vip), merged.Declared[N3]);
    }

    [Fact]
    public void A_node_that_declares_nothing_an_old_one_is_taken_to_declare_the_allocators_own_list()
    {
        var merged = Merge(new() { [N1] = [new VipSpec(Vip), new VipSpec(Rack)] });

        Assert.Equal(Set(Vip, Rack), merged.Declared[N2]);
        Assert.Equal(Set(Vip, Rack), merged.Declared[N3]);
    }

    [Fact]
    public void A_vip_no_up_member_declares_any_more_is_dropped_from_placement_and_taken_from_its_owner_once()
    {
        var merged = Merge(new() { [N2] = [new VipSpec(Vip)], [N3] = [new VipSpec(Vip)] }, Owners((Gone, N2)));
        Assert.DoesNotContain(Gone, merged.Specs.Select(s => s.Vip));

        var d = Placement.Decide(merged.Specs, [Up(N1, merged.Declared[N1]), Up(N2, merged.Declared[N2]), Up(N3, merged.Declared[N3])],
            Allocator, Owners((Gone, N2)), 5);
        Assert.Single(d.Changes, c => c.Vip == Gone && c.From == N2 && c.To is null);
    }

    [Fact]
    public void A_vip_held_by_a_member_that_has_not_declared_yet_stays_with_it_a_new_allocator_does_not_revoke_it()
    {
        // N2 holds a VIP of its rack, which the allocator's node is not configured for; its declaration has not arrived yet.
        var merged = Merge(new(), Owners((Rack, N2)));

        Assert.Contains(Rack, merged.Specs.Select(s => s.Vip));
        Assert.Contains(Rack, merged.Declared[N2]);
        Assert.DoesNotContain(Rack, merged.Declared[N3]);
    }

    [Fact]
    public void A_member_not_up_declares_nothing_into_the_union()
    {
        var merged = Merge(new() { [N3] = [new VipSpec(Vip), new VipSpec(Rack)] }, up: [N1, N2]);

        Assert.DoesNotContain(Rack, merged.Specs.Select(s => s.Vip));
    }

    [Fact]
    public void Two_nodes_declaring_a_vip_differently_the_allocators_own_spec_wins_else_the_first_voter_and_the_conflict_is_named()
    {
        var own = Merge(new()
        {
            [N1] = [new VipSpec(Vip, [N1])],
            [N3] = [new VipSpec(Vip, [N3], Preempt: true)],
        });
        Assert.Equal(new VipSpec(Vip, [N1]).Preference, own.Specs.Single().Preference);
        Assert.Equal([new DeclarationConflict(Vip, N1, N3)], own.Conflicts);

        var voters = Merge(new()
        {
            [N1] = [new VipSpec(Vip)],
            [N3] = [new VipSpec(Vip), new VipSpec(Rack, [N3]) { PreemptDelay = TimeSpan.FromSeconds(3) }],
            [N2] = [new VipSpec(Vip), new VipSpec(Rack, [N2])],
        });
        Assert.Equal([N2], voters.Specs.Single(s => s.Vip == Rack).Preference);
        Assert.Equal([new DeclarationConflict(Rack, N2, N3)], voters.Conflicts);
    }

    [Fact]
    public void Equal_specs_from_several_nodes_are_no_conflict()
    {
        var merged = Merge(new() { [N2] = [new VipSpec(Rack, [N2, N3])], [N3] = [new VipSpec(Rack, [N2, N3])] });

        Assert.Empty(merged.Conflicts);
    }

    private static HashSet<string> Set(params string[] vips) => vips.ToHashSet(StringComparer.Ordinal);
}
