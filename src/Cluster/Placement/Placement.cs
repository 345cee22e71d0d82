namespace ActorVip.Ownership;

/// <summary>
/// The allocator's pure decision: which eligible node should own each VIP. Deterministic for equal inputs.
/// Rules, in order: an owner keeps its VIP while it may (<see cref="MemberView.MayKeep"/>: eligible, or still renewing
/// though some node calls it unreachable), unless preempt is on and a more preferred eligible node is the best choice,
/// or the owner is the allocator's own node and another eligible node has backends at least as healthy;
/// otherwise the best eligible node wins: healthy local backend first, then not the allocator's own node, then
/// preference order, then the fewest VIPs already placed, then NodeId ordinal. With preempt and a preempt delay, a more
/// preferred node takes a VIP back only once it has been eligible for the whole delay (<see cref="MemberView.EligibleFor"/>).
/// Each VIP comes with the reason it is where it is (<see cref="PlacementReason"/>).
/// With <see cref="VipSpec.MoveWhenNoneHealthy"/> an owner whose backends are <see cref="BackendHealth.Failing"/> loses
/// the VIP, but only when another eligible node reported <see cref="BackendHealth.Healthy"/>, and only to such a node.
/// A health-tracked VIP (<see cref="VipHealthView"/>, issue 14 §1) is placed only on nodes whose checks pass while one
/// does, and leaves an owner whose checks fail for such a node (Placement.Health.cs).
/// VIPs leave the allocator's own node only once a forming cluster has settled (<see cref="FormationSettle"/>; given the
/// number of configured nodes, else at once).
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
        VipHealthView? health = null,
        int configuredNodes = 0)
    {
        health ??= VipHealthView.None;
        // seen: every member; keepers: may keep what they own; eligible (a subset): may also be given a VIP.
        var keepers = new Dictionary<NodeId, MemberView>();
        foreach (var member in members)
        {
            if (!keepers.TryAdd(member.Node, member))
                throw new ArgumentException($"Member {member.Node} is listed twice.", nameof(members));
        }
        var seen = new Dictionary<NodeId, MemberView>(keepers);
        foreach (var gone in keepers.Values.Where(m => !m.MayKeep).ToList())
            keepers.Remove(gone.Node);
        var eligible = keepers.Values.Where(m => m.IsEligible).ToDictionary(m => m.Node);
        // A node whose VIP interface is down for some VIPs only (Unservable), or that is configured for some VIPs only (Declared),
        // keeps and gets none of the others, and these as usual.
        var partial = keepers.Values.Any(m => m.Unservable.Count > 0 || m.Declared is not null);
        // Every member declares its VIPs, so each VIP has its own members; VIPs that the same members serve share one pair of
        // views (one pair in all, as a rule), where two new dictionaries per VIP and pass were most of an idle allocator's work
        // with 1,000 VIPs, twice a second.
        var keeperList = keepers.Values.ToArray();
        var servingViews = new Dictionary<ulong, (Dictionary<NodeId, MemberView>, Dictionary<NodeId, MemberView>)>();
        (Dictionary<NodeId, MemberView> Keepers, Dictionary<NodeId, MemberView> Eligible) For(VipSpec spec)
        {
            if (!partial) return (keepers, eligible);
            if (keeperList.Length > 64) return (Serving(keepers, spec.Vip), Serving(eligible, spec.Vip));
            var mask = 0UL;
            for (var i = 0; i < keeperList.Length; i++)
            {
                if (keeperList[i].Serves(spec.Vip)) mask |= 1UL << i;
            }
            if (!servingViews.TryGetValue(mask, out var views))
                servingViews[mask] = views = (Serving(keepers, spec.Vip), Serving(eligible, spec.Vip));
            return views;
        }

        var specs = new SortedDictionary<string, VipSpec>(StringComparer.Ordinal);
        foreach (var spec in vips)
        {
            if (!specs.TryAdd(spec.Vip, spec))
                throw new ArgumentException($"VIP {spec.Vip} is listed twice.", nameof(vips));
        }

        var (settled, settlesIn) = Settled(eligible, self, configuredNodes);
        bool LeavesAllocator(NodeId owner, Dictionary<NodeId, MemberView> vipKeepers, Dictionary<NodeId, MemberView> vipEligible) =>
            settled && LeavesAllocatorsNode(owner, self, vipKeepers, vipEligible);

        var owners = new Dictionary<string, NodeId?>(specs.Count, StringComparer.Ordinal);
        var reasons = new Dictionary<string, PlacementReason>(specs.Count, StringComparer.Ordinal);
        var load = keepers.Keys.ToDictionary(n => n, _ => 0);
        TimeSpan? nextPreemption = null;
        // Owners that simply keep their VIP count first, so the spread sees them before anything moves.
        foreach (var spec in specs.Values)
        {
            var (vipKeepers, vipEligible) = For(spec);
            if (!spec.Preempt && OwnerOf(current, spec.Vip) is { } owner && vipKeepers.ContainsKey(owner) &&
                !MovesAway(spec, owner, vipKeepers, vipEligible) && !LeavesAllocator(owner, vipKeepers, vipEligible) &&
                !HealthMovesAway(spec, owner, vipEligible, health))
            {
                owners[spec.Vip] = owner;
                reasons[spec.Vip] = PlacementReason.Kept;
                load[owner]++;
            }
        }
        foreach (var spec in specs.Values.Where(s => !owners.ContainsKey(s.Vip)))
        {
            var (vipKeepers, vipEligible) = For(spec);
            var owner = OwnerOf(current, spec.Vip);
            var moving = owner is { } failing && vipKeepers.ContainsKey(failing) && MovesAway(spec, failing, vipKeepers, vipEligible);
            var candidates = moving ? vipEligible.Values.Where(m => m.Health == BackendHealth.Healthy) : vipEligible.Values;
            NodeId? kept = spec.Preempt && !moving && owner is { } held && vipKeepers.ContainsKey(held) &&
                !LeavesAllocator(held, vipKeepers, vipEligible) && !HealthMovesAway(spec, held, vipEligible, health)
                ? held
                : null;
            if (kept is { } keeper && spec.PreemptDelay > TimeSpan.Zero)
            {
                // A more preferred node takes the VIP back only once it has been eligible for the whole delay: one that flaps never does.
                var waiting = candidates
                    .Where(m => m.Node != keeper && m.EligibleForVip(spec.Vip) < spec.PreemptDelay && Rank(spec, m.Node) < Rank(spec, keeper))
                    .ToList();
                foreach (var m in waiting)
                    nextPreemption = Min(nextPreemption, spec.PreemptDelay - m.EligibleForVip(spec.Vip));
                candidates = candidates.Where(m => !waiting.Contains(m)).ToList();
            }
            var best = Best(HealthCandidates(spec, candidates, health), spec, self, load);
            if (kept is { } stays && (best is null || Rank(spec, best.Value) >= Rank(spec, stays)))
                best = stays;
            owners[spec.Vip] = best;
            // Moved for health: its backends (MovesAway) or its own checks (HealthMovesAway) fail.
            var forHealth = moving ||
                (owner is { } checkedOwner && vipKeepers.ContainsKey(checkedOwner) && HealthMovesAway(spec, checkedOwner, vipEligible, health));
            reasons[spec.Vip] = ReasonFor(spec, owner, best, forHealth, self, seen, vipKeepers);
            if (best is { } chosen)
                load[chosen]++;
        }

        // A VIP kept on the allocator's node only because the cluster is still forming: look again when it has settled.
        if (!settled && owners.Values.Any(o => o == self) && keepers.ContainsKey(self) && LeavesAllocatorsNode(self, self, keepers, eligible))
            nextPreemption = Min(nextPreemption, settlesIn);

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
        return new PlacementDecision(assignments, changes, epochCounter)
        {
            Reasons = assignments.Keys.ToDictionary(vip => vip, vip => reasons.GetValueOrDefault(vip, PlacementReason.Unplaced), StringComparer.Ordinal),
            NextPreemption = nextPreemption,
        };
    }

    /// <summary>Why <paramref name="chosen"/> holds the VIP that <paramref name="owner"/> held (either may be nobody).</summary>
    private static PlacementReason ReasonFor(VipSpec spec, NodeId? owner, NodeId? chosen, bool moving, NodeId self,
        Dictionary<NodeId, MemberView> seen, Dictionary<NodeId, MemberView> keepers)
    {
        if (chosen is not { } to) return PlacementReason.Unplaced;
        if (owner == to) return PlacementReason.Kept;
        if (owner is { } from)
        {
            if (moving) return PlacementReason.Health;
            // An owner no longer configured for the VIP (it reloaded without it) released it: placed as a new VIP is, below.
            var undeclared = seen.TryGetValue(from, out var was) && was.Declared is { } declared && !declared.Contains(spec.Vip);
            if (!undeclared && !keepers.ContainsKey(from))
                return was is null || (was.CanServe && was.Serves(spec.Vip)) ? PlacementReason.Failover
                    : was.CannotServeCause == IneligibleCause.Fence ? PlacementReason.Fence : PlacementReason.Link;
            if (from == self && !undeclared) return PlacementReason.AwayFromAllocator;
        }
        return Rank(spec, to) < int.MaxValue ? PlacementReason.Preferred : PlacementReason.Spread;
    }

    /// <summary>The members of <paramref name="members"/> that may hold <paramref name="vip"/> as far as their interfaces go.</summary>
    private static Dictionary<NodeId, MemberView> Serving(Dictionary<NodeId, MemberView> members, string vip) =>
        members.Values.Where(m => m.Serves(vip)).ToDictionary(m => m.Node);

    private static TimeSpan Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

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
    private static bool LeavesAllocatorsNode(NodeId owner, NodeId self, Dictionary<NodeId, MemberView> keepers, Dictionary<NodeId, MemberView> eligible) =>
        owner == self && eligible.Values.Any(m => m.Node != self && (m.BackendHealthy || !keepers[owner].BackendHealthy));

    /// <summary>
    /// How long VIPs on the allocator's node wait for the rest of a forming cluster before they move away: at a cluster's
    /// start the allocator's node is the only member and gets every VIP, and moving them all to the first node that came Up
    /// next left 1,000 VIPs on one node and none on the third, which came Up a second later (docs/BENCHMARKS.md, "1,000 VIPs
    /// over real processes"); placement never moves a VIP that is fine where it is, so that spread was for good.
    /// </summary>
    public static readonly TimeSpan FormationSettle = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether VIPs may leave the allocator's node now: every configured node is eligible, or none of the others became
    /// eligible within <see cref="FormationSettle"/> (a node that stays away does not hold the move for longer); otherwise
    /// how long until the newest has been eligible that long. Without <paramref name="configuredNodes"/> (0): at once.
    /// </summary>
    private static (bool Settled, TimeSpan SettlesIn) Settled(Dictionary<NodeId, MemberView> eligible, NodeId self, int configuredNodes)
    {
        if (configuredNodes <= 0 || eligible.Count >= configuredNodes)
            return (true, TimeSpan.Zero);
        var newest = eligible.Values.Where(m => m.Node != self).Select(m => m.EligibleFor).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        return newest >= FormationSettle ? (true, TimeSpan.Zero) : (false, FormationSettle - newest);
    }

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
