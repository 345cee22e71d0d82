namespace ActorVip.Ownership;

/// <summary>
/// The allocator's pure decision: which eligible node should own each VIP. Deterministic for equal inputs.
/// Rules, in order: an owner keeps its VIP while it may (<see cref="MemberView.MayKeep"/>: eligible, or still renewing
/// though some node calls it unreachable), unless preempt is on and a more preferred eligible node is the best choice,
/// or the owner is the allocator's own node and another eligible node has backends at least as healthy;
/// otherwise the best eligible node wins: healthy local backend first, then not the allocator's own node, then
/// preference order, then the fewest VIPs already placed, then NodeId ordinal.
/// With <see cref="VipSpec.MoveWhenNoneHealthy"/> an owner whose backends are <see cref="BackendHealth.Failing"/> loses
/// the VIP, but only when another eligible node reported <see cref="BackendHealth.Healthy"/>, and only to such a node.
/// A health-tracked VIP (<see cref="VipHealthView"/>, issue 14 §1) is placed only on nodes whose checks pass while one
/// does, and leaves an owner whose checks fail for such a node (Placement.Health.cs).
/// Every change of owner (to nobody included) takes the next epoch, so epochs only grow.
/// </summary>
public static partial class Placement
{
    public static PlacementDecision Decide(
        IReadOnlyList<VipSpec> vips,
        IReadOnlyList<MemberView> members,
        NodeId self,
        IReadOnlyDictionary<string, Assignment> current,
        long epochCounter,
        VipHealthView? health = null)
    {
        health ??= VipHealthView.None;
        // keepers: may keep what they own; eligible (a subset): may also be given a VIP.
        var keepers = new Dictionary<NodeId, MemberView>();
        foreach (var member in members)
        {
            if (!keepers.TryAdd(member.Node, member))
                throw new ArgumentException($"Member {member.Node} is listed twice.", nameof(members));
        }
        foreach (var gone in keepers.Values.Where(m => !m.MayKeep).ToList())
            keepers.Remove(gone.Node);
        var eligible = keepers.Values.Where(m => m.IsEligible).ToDictionary(m => m.Node);

        var specs = new SortedDictionary<string, VipSpec>(StringComparer.Ordinal);
        foreach (var spec in vips)
        {
            if (!specs.TryAdd(spec.Vip, spec))
                throw new ArgumentException($"VIP {spec.Vip} is listed twice.", nameof(vips));
        }

        var owners = new Dictionary<string, NodeId?>(StringComparer.Ordinal);
        var load = keepers.Keys.ToDictionary(n => n, _ => 0);
        // Owners that simply keep their VIP count first, so the spread sees them before anything moves.
        foreach (var spec in specs.Values)
        {
            if (!spec.Preempt && OwnerOf(current, spec.Vip) is { } owner && keepers.ContainsKey(owner) && !MovesAway(spec, owner, keepers, eligible) &&
                !LeavesAllocator(owner, self, keepers, eligible) && !HealthMovesAway(spec, owner, eligible, health))
            {
                owners[spec.Vip] = owner;
                load[owner]++;
            }
        }
        foreach (var spec in specs.Values.Where(s => !owners.ContainsKey(s.Vip)))
        {
            var owner = OwnerOf(current, spec.Vip);
            var moving = owner is { } failing && keepers.ContainsKey(failing) && MovesAway(spec, failing, keepers, eligible);
            var candidates = moving ? eligible.Values.Where(m => m.Health == BackendHealth.Healthy) : eligible.Values;
            var best = Best(HealthCandidates(spec, candidates, health), spec, self, load);
            if (spec.Preempt && !moving && owner is { } kept && keepers.ContainsKey(kept) && !LeavesAllocator(kept, self, keepers, eligible) &&
                !HealthMovesAway(spec, kept, eligible, health) &&
                (best is null || Rank(spec, best.Value) >= Rank(spec, kept)))
                best = kept;
            owners[spec.Vip] = best;
            if (best is { } chosen)
                load[chosen]++;
        }

        var assignments = new SortedDictionary<string, Assignment>(StringComparer.Ordinal);
        var changes = new List<AssignmentChange>();
        foreach (var (vip, owner) in owners)
            assignments[vip] = Assign(vip, owner, current, changes, ref epochCounter);
        // A VIP no longer configured is taken from its owner once, then forgotten.
        foreach (var (vip, was) in current.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!specs.ContainsKey(vip) && was.Owner is not null)
                assignments[vip] = Assign(vip, null, current, changes, ref epochCounter);
        }
        return new PlacementDecision(assignments, changes, epochCounter);
    }

    private static Assignment Assign(string vip, NodeId? owner, IReadOnlyDictionary<string, Assignment> current,
        List<AssignmentChange> changes, ref long epochCounter)
    {
        var was = current.TryGetValue(vip, out var a) ? a : new Assignment(null, 0);
        if (was.Owner == owner)
            return was;
        epochCounter = Math.Max(epochCounter, was.Epoch) + 1;
        changes.Add(new AssignmentChange(vip, was.Owner, owner, epochCounter));
        return new Assignment(owner, epochCounter);
    }

    /// <summary>The owner's backends have failed for a while and another eligible node has healthy ones.</summary>
    private static bool MovesAway(VipSpec spec, NodeId owner, Dictionary<NodeId, MemberView> keepers, Dictionary<NodeId, MemberView> eligible) =>
        spec.MoveWhenNoneHealthy && keepers[owner].Health == BackendHealth.Failing &&
        eligible.Values.Any(m => m.Node != owner && m.Health == BackendHealth.Healthy);

    /// <summary>
    /// The owner is the allocator's own node and another eligible node serves at least as well: the VIP moves (a
    /// graceful handover, tens of milliseconds) so that one crash never takes both the owner and the allocator,
    /// which would leave the VIP dark until Akka's failure detector, the split brain resolver and the singleton's
    /// hand-over have all run (about 10 s, issue 13).
    /// </summary>
    private static bool LeavesAllocator(NodeId owner, NodeId self, Dictionary<NodeId, MemberView> keepers, Dictionary<NodeId, MemberView> eligible) =>
        owner == self && eligible.Values.Any(m => m.Node != self && (m.BackendHealthy || !keepers[owner].BackendHealthy));

    private static NodeId? OwnerOf(IReadOnlyDictionary<string, Assignment> current, string vip) =>
        current.TryGetValue(vip, out var a) ? a.Owner : null;

    private static NodeId? Best(IEnumerable<MemberView> eligible, VipSpec spec, NodeId self, Dictionary<NodeId, int> load) =>
        eligible
            .OrderByDescending(m => m.BackendHealthy)
            .ThenBy(m => m.Node == self)
            .ThenBy(m => Rank(spec, m.Node))
            .ThenBy(m => load[m.Node])
            .ThenBy(m => m.Node)
            .Select(m => (NodeId?)m.Node)
            .FirstOrDefault();

    /// <summary>Position in the preference list; nodes not listed rank after all listed ones.</summary>
    private static int Rank(VipSpec spec, NodeId node)
    {
        for (var i = 0; i < spec.Preference.Count; i++)
        {
            if (spec.Preference[i] == node)
                return i;
        }
        return int.MaxValue;
    }
}
