namespace ActorVip.Ownership;

/// <summary>Two nodes declare one VIP with different placement needs: <paramref name="Winner"/>'s spec is placed, <paramref name="Other"/>'s not.</summary>
public sealed record DeclarationConflict(string Vip, NodeId Winner, NodeId Other);

/// <summary>
/// What the allocator places when each node declares the VIPs it is configured for (issue 14 §5, live reconfiguration): the
/// union of what its Up members declare (<see cref="Specs"/>), and which of them each member may hold (<see cref="Declared"/>,
/// given to placement as <see cref="MemberView.Declared"/>). Pure: the allocator keeps the declarations and gives them here.
/// </summary>
public sealed record DeclaredVips(IReadOnlyList<VipSpec> Specs, IReadOnlyDictionary<NodeId, IReadOnlySet<string>> Declared,
    IReadOnlyList<DeclarationConflict> Conflicts)
{
    /// <summary>
    /// Merges the declarations of the Up members. A member that declared nothing (a node before declarations, or one whose
    /// declaration has not arrived yet) is taken to declare the allocator's own list, which is what every node was placed with
    /// before; and it also keeps what it holds now (<paramref name="current"/>), so that a new allocator does not take a VIP of
    /// one rack from its owner in the moment before that owner's declaration arrives. A VIP no Up member declares is not
    /// placed (<see cref="Placement.Decide"/> takes it from an owner once; one that reloaded has released it already).
    /// Two members declaring a VIP differently: the allocator's own node's spec wins if it declares it, else the first in the
    /// configured voter order (then the rest by node, ordinal); each loser is a <see cref="DeclarationConflict"/>.
    /// </summary>
    /// <param name="configured">The allocator's own node's VIPs as it started with them; its declaration, once it has one, replaces them.</param>
    public static DeclaredVips Merge(NodeId self, IReadOnlyList<VipSpec> configured, IReadOnlyDictionary<NodeId, IReadOnlyList<VipSpec>> declarations,
        IEnumerable<NodeId> up, IReadOnlyList<NodeId> voters, IReadOnlyDictionary<string, Assignment> current)
    {
        var own = declarations.TryGetValue(self, out var mine) ? mine : configured;
        var members = up.Distinct().ToList();
        if (!members.Contains(self)) members.Add(self);
        // Precedence: the allocator's node, then the voters in their configured order, then the others.
        int Order(NodeId node) => node == self ? -1 : voters.IndexOf(node) is var i and >= 0 ? i : int.MaxValue;
        members = members.OrderBy(Order).ThenBy(n => n.Value, StringComparer.Ordinal).ToList();

        var specs = new Dictionary<string, (VipSpec Spec, NodeId From)>(StringComparer.Ordinal);
        var declared = new Dictionary<NodeId, IReadOnlySet<string>>();
        var conflicts = new List<DeclarationConflict>();
        foreach (var member in members)
        {
            var list = declarations.TryGetValue(member, out var theirs) ? theirs : own;
            var vips = list.Select(s => s.Vip).ToHashSet(StringComparer.Ordinal);
            foreach (var spec in list)
            {
                if (!specs.TryGetValue(spec.Vip, out var first)) specs[spec.Vip] = (spec, member);
                else if (!SamePlacement(first.Spec, spec)) conflicts.Add(new DeclarationConflict(spec.Vip, first.From, member));
            }
            if (theirs is null)
            {
                foreach (var (vip, assignment) in current.Where(a => a.Value.Owner == member && !vips.Contains(a.Key)))
                {
                    vips.Add(vip);
                    specs.TryAdd(vip, (new VipSpec(vip), member));
                }
            }
            declared[member] = vips;
        }
        return new DeclaredVips(specs.Values.Select(s => s.Spec).OrderBy(s => s.Vip, StringComparer.Ordinal).ToList(), declared, conflicts);
    }

    /// <summary>Whether two specs of a VIP place it alike (record equality would compare the preference lists by reference).</summary>
    public static bool SamePlacement(VipSpec a, VipSpec b) =>
        a.Vip == b.Vip && a.Preference.SequenceEqual(b.Preference) && a.Preempt == b.Preempt && a.MoveWhenNoneHealthy == b.MoveWhenNoneHealthy &&
        a.PreemptDelay == b.PreemptDelay;
}

internal static class NodeListExtensions
{
    public static int IndexOf(this IReadOnlyList<NodeId> nodes, NodeId node)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] == node) return i;
        }
        return -1;
    }
}
