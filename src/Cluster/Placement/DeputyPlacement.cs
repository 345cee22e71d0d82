namespace ActorVip.Ownership;

/// <summary>
/// What a deputy does after asking the voters: claim these VIPs (each a <see cref="Claim"/> for its node's agent), and look
/// again after <paramref name="RetryAfter"/> if set.
/// </summary>
public sealed record DeputyDecision(IReadOnlyList<Claim> Claims, TimeSpan? RetryAfter)
{
    public static readonly DeputyDecision Nothing = new([], null);
}

/// <summary>
/// The deputy's pure decisions (issue 13 §1). When the owner of a VIP and the allocator are lost together (one rack, or
/// both cut off in a minority), the VIP would stay dark until Akka's failure detector, the split brain resolver and the
/// singleton's hand-over have all run (about 10 s). Every node's deputy watches its own voter: when neither the
/// allocator's presence (<see cref="AllocatorPresence"/>) nor a VIP's owner is promised there any more, it asks every
/// voter; if a majority of them has no live promise for either, the VIP is orphaned, and the node that the allocator's
/// own rules (<see cref="Placement.Decide"/>) would choose among the voters that answered claims it at an epoch above
/// every epoch they reported.
/// Safety never rests on this choice: a claim is an ordinary acquisition of the quorum lease, so two deputies, or a
/// deputy and an allocator, can never both hold a VIP; the rules here only keep them from getting in each other's way.
/// </summary>
public static class DeputyPlacement
{
    /// <summary>
    /// From the local voter's snapshot: whether to ask every voter now (the allocator's presence has run out here and a
    /// configured VIP has no live promise here, or they run out within <see cref="Lead"/>), and when to look at the local voter
    /// again otherwise: <see cref="Lead"/> before the presence promise, or while it is gone the first VIP promise, would run
    /// out (at most <see cref="LeaseSettings.PromiseTime"/>).
    /// A voter that never heard from an allocator (a new cluster, or an allocator of an older version) asks nothing, until
    /// <paramref name="coldStartOver"/>: no allocator was heard of in the grace a cluster takes to form, so none may ever come
    /// (the first seed, the only node that may form the cluster, never came up), and its VIPs are orphans like any other.
    /// </summary>
    public static (bool Probe, TimeSpan NextLook) Look(VoterPromises local, IReadOnlyList<VipSpec> vips, LeaseSettings settings,
        bool coldStartOver = false)
    {
        var presence = AllocatorPresence.Of(local);
        var latest = settings.PromiseTime;
        var lead = Lead(settings);
        if (presence is null && !coldStartOver)
            return (false, latest);
        if (presence is not null && !RunsOutWithin(presence, lead))
            return (false, Min(presence.PromiseRemaining - lead, latest));
        var byVip = local.Promises.VipsOnly().ToDictionary(p => p.Vip, StringComparer.Ordinal);
        var orphan = false;
        var next = latest;
        foreach (var spec in vips)
        {
            if (!byVip.TryGetValue(spec.Vip, out var p) || RunsOutWithin(p, lead))
                orphan = true;
            else
                next = Min(next, p.PromiseRemaining - lead);
        }
        return (orphan, next);
    }

    /// <summary>
    /// How long before the promises run out a deputy asks the voters and claims: the round of questions, the wait for the
    /// last answers and the claim's first refusal then overlap the end of the promises, and the claim, retried every
    /// <c>NodeAgent.AcquireRetry</c>, is granted as soon as they have run out (the voters decide that, not the deputy). Half
    /// the margin, at most 50 ms: a promise with less left was acked more than lease-time + margin / 2 ago, so the owner's
    /// lease counted from that ack has ended even with the clocks' rates apart by what the margin allows; the claim's higher
    /// epoch therefore never makes an owner that still holds its lease give up. A rack crash waited a probe round after the
    /// promises ran out: about 25 ms on an idle machine, 150-300 ms of late timers on a loaded one.
    /// </summary>
    public static TimeSpan Lead(LeaseSettings settings) => Min(MaxLead, settings.Margin / 2);

    private static readonly TimeSpan MaxLead = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether <paramref name="record"/> promises nothing, or what it promises runs out within <paramref name="lead"/>.</summary>
    private static bool RunsOutWithin(PromiseInfo? record, TimeSpan lead) => record?.PromisedTo is null || record.PromiseRemaining <= lead;

    /// <summary>
    /// Decides from the snapshots of the voters that answered (this node's among them) which orphaned VIPs this node
    /// claims. Nothing is claimed unless a majority of all voters answered, a majority has no live allocator presence,
    /// and, per VIP, a majority has no live promise (a promise that runs out within <see cref="Lead"/> counts as none: the
    /// claim is granted once it has). The candidates are the voters that answered and are Up members in
    /// this node's view (<paramref name="upMembersOldestFirst"/>; for a node that is not Up itself, joining or in no
    /// cluster, the configured voters in their order), less the last allocator's node and the orphans' last owners.
    /// The oldest candidate will most likely run the next allocator (the singleton goes to the oldest member with the
    /// role once the dead are removed): it is avoided as the allocator avoids its own node, so that the new allocator
    /// does not move the VIP again.
    /// </summary>
    public static DeputyDecision Decide(IReadOnlyCollection<VoterPromises> answered, IReadOnlyList<VipSpec> vips, IReadOnlyList<NodeId> upMembersOldestFirst,
        NodeId self, LeaseSettings settings)
    {
        var snapshots = answered.GroupBy(s => s.Voter).Select(g => g.First()).ToList();
        var majority = settings.Majority;
        if (snapshots.Count < majority)
            return DeputyDecision.Nothing;

        var lead = Lead(settings);
        var presence = snapshots.Select(AllocatorPresence.Of).ToList();
        var presenceRetry = RunsOutAtMajority(presence, majority, lead);
        if (presenceRetry is { } stillPresent)
            return new DeputyDecision([], stillPresent);
        var lastAllocator = presence.Where(p => p is not null).MaxBy(p => p!.HighestEpoch)?.HighestEpochOwner;

        // Each voter's records by VIP, looked up once per configured VIP below.
        var byVoter = snapshots.Select(s => s.Promises.VipsOnly().ToDictionary(p => p.Vip, StringComparer.Ordinal)).ToList();
        var orphans = new Dictionary<string, NodeId?>(StringComparer.Ordinal);
        TimeSpan? retry = null;
        foreach (var spec in vips)
        {
            var records = byVoter.Select(promises => promises.GetValueOrDefault(spec.Vip)).ToList();
            if (RunsOutAtMajority(records, majority, lead) is { } held)
            {
                // Held at a majority: most likely a live owner renewing, which nobody must disturb; if it is a dead one
                // whose promises run out a little later at some voters, look again then.
                retry = Min(retry ?? held, held);
                continue;
            }
            orphans[spec.Vip] = records.Where(r => r is not null)
                .Select(r => r!.PromisedTo ?? r.HighestEpochOwner)
                .FirstOrDefault(o => o is not null);
        }
        if (orphans.Count == 0)
            return new DeputyDecision([], retry);

        var excluded = orphans.Values.Where(o => o is not null).Select(o => o!.Value).ToHashSet();
        if (lastAllocator is { } allocatorNode)
            excluded.Add(allocatorNode);
        var answering = snapshots.Select(s => s.Voter).ToHashSet();
        var candidates = upMembersOldestFirst.Where(v => answering.Contains(v) && !excluded.Contains(v)).ToList();
        if (!candidates.Contains(self))
            return new DeputyDecision([], retry);

        var recovered = PlacementRecovery.Recover(snapshots, settings);
        var members = candidates.Select(c => new MemberView(c, HasVipRole: true, IsUp: true, IsReachable: true, BackendHealth.Unknown)).ToList();
        // The allocator's rules, with the likely next allocator in the allocator's seat: it is chosen last.
        var decision = Placement.Decide(vips, members, candidates[0], recovered.Assignments, recovered.EpochCounter);
        var claims = decision.Changes
            .Where(c => c.To == self && orphans.ContainsKey(c.Vip))
            .Select(c => new Claim(c.Vip, c.Epoch, orphans[c.Vip]))
            .ToList();
        return new DeputyDecision(claims, retry);
    }

    /// <summary>
    /// Whether a deputy's claim, still acquiring, lets go when a voter says it promised the VIP to <paramref name="other"/>.
    /// Never to this node or to the owner the claim replaces (that promise simply runs out). To another claimant only when
    /// that one is listed before this node among the configured voters (every node has the same list): deputies that see the
    /// members differently may each choose themselves, and if both yielded, as every claim once did, neither would get the
    /// other's own voter; a 5-node rack crash in CI stayed dark for 11.2 s that way, the next looks choosing alike. The first
    /// listed holds on and gets the other's voter once it lets go. After a promise-time without a grant a claim yields to
    /// anyone: the other may be an allocator's choice at the same epoch, which never yields, or a claimant already granted.
    /// </summary>
    public static bool ClaimYields(NodeId self, NodeId other, NodeId? previousOwner, IReadOnlyList<NodeId> voters,
        TimeSpan acquiringFor, LeaseSettings settings)
    {
        if (other == self || other == previousOwner)
            return false;
        if (acquiringFor >= settings.PromiseTime)
            return true;
        var theirs = IndexOf(voters, other);
        var mine = IndexOf(voters, self);
        return theirs < 0 || mine < 0 || theirs < mine;
    }

    private static int IndexOf(IReadOnlyList<NodeId> voters, NodeId node)
    {
        for (var i = 0; i < voters.Count; i++)
        {
            if (voters[i] == node)
                return i;
        }
        return -1;
    }

    /// <summary>
    /// For the allocator: the VIPs its local voter promises to another node than the assigned one at a higher epoch than
    /// the assignment. A deputy placed them while no allocator reached it, or an allocator before this one did: that
    /// promise is newer than what the allocator knows, so it becomes the assignment. A promise at the assignment's own
    /// epoch or below is not taken: two claimants at one epoch are sorted out by the claim yielding (<see cref="Claim"/>).
    /// </summary>
    public static IReadOnlyList<(string Vip, Assignment Was, Assignment Now)> Adoptions(IReadOnlyDictionary<string, Assignment> assignments,
        VoterPromises local, IReadOnlyCollection<VipSpec> vips)
    {
        var adoptions = new List<(string, Assignment, Assignment)>();
        var configured = vips.Select(v => v.Vip).ToHashSet(StringComparer.Ordinal);
        foreach (var promise in local.Promises.VipsOnly())
        {
            if (promise.PromisedTo is not { } holder || promise.PromiseRemaining <= TimeSpan.Zero || !configured.Contains(promise.Vip)) continue;
            var was = assignments.TryGetValue(promise.Vip, out var a) ? a : new Assignment(null, 0);
            if (was.Owner != holder && promise.PromisedEpoch > was.Epoch)
                adoptions.Add((promise.Vip, was, new Assignment(holder, promise.PromisedEpoch)));
        }
        return adoptions;
    }

    /// <summary>
    /// Null when at a majority of the voters <paramref name="records"/> (one per voter, null: never heard of it) promise
    /// nothing that lasts beyond <paramref name="lead"/>; otherwise how long until that is so, if the promises simply run out.
    /// </summary>
    private static TimeSpan? RunsOutAtMajority(IReadOnlyList<PromiseInfo?> records, int majority, TimeSpan lead)
    {
        var free = records.Count(r => RunsOutWithin(r, lead));
        if (free >= majority)
            return null;
        var live = records.Where(r => !RunsOutWithin(r, lead)).Select(r => r!.PromiseRemaining - lead).OrderBy(t => t).ToList();
        var needed = majority - free;
        return needed <= live.Count ? live[needed - 1] : null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
