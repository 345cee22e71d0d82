namespace ActorVip.Ownership;

/// <summary>
/// A VIP to place: its key (the address text), the nodes it prefers, first first (may be empty), whether a
/// more preferred node takes it back from a healthy owner (preempt) or the owner keeps it while it can (default),
/// and whether it leaves an owner whose backends are failing for a node that reports a healthy one
/// (lb.health.keep-vip-when-none-healthy = off).
/// </summary>
public sealed record VipSpec(string Vip, IReadOnlyList<NodeId> Preference, bool Preempt = false, bool MoveWhenNoneHealthy = false)
{
    public VipSpec(string vip) : this(vip, Array.Empty<NodeId>()) { }
}

/// <summary>
/// A cluster member as the allocator sees it. <see cref="IsReachable"/> should also be false for a node whose
/// renewals stopped reaching the allocator's own voter, so that failover does not wait for the failure detector.
/// <see cref="IsRenewing"/>: the allocator's own voter has seen this node renew a lease it holds (or it was placed
/// moments ago and is still within its grace to get one); such a node keeps what it owns even while some other
/// node's failure detector calls it unreachable. <see cref="CanServe"/> is false while the node said it cannot hold VIPs
/// (<see cref="Messages.Ownership.Eligibility"/>: its VIP interface is gone, down or without carrier).
/// </summary>
public sealed record MemberView(NodeId Node, bool HasVipRole, bool IsUp, bool IsReachable, BackendHealth Health, bool IsRenewing = false,
    bool CanServe = true)
{
    /// <summary>A node that reported healthy (true) or unhealthy (false) backends.</summary>
    public MemberView(NodeId node, bool hasVipRole, bool isUp, bool isReachable, bool backendHealthy, bool isRenewing = false)
        : this(node, hasVipRole, isUp, isReachable, backendHealthy ? BackendHealth.Healthy : BackendHealth.Unhealthy, isRenewing) { }

    /// <summary>Healthy as far as the allocator knows: a node that never reported counts as healthy.</summary>
    public bool BackendHealthy => Health is BackendHealth.Healthy or BackendHealth.Unknown;

    /// <summary>Only an Up, reachable node with role vip that can serve may be given a VIP.</summary>
    public bool IsEligible => HasVipRole && IsUp && IsReachable && CanServe;

    /// <summary>
    /// An owner keeps its VIP while eligible, or while Up and still renewing with the allocator's voter: the lease
    /// is the proof of life that counts, and a reachability flap seen by a third node must not move a working VIP. A node
    /// that cannot serve keeps nothing, renewing or not: its interface cannot carry the VIP.
    /// </summary>
    public bool MayKeep => IsEligible || (HasVipRole && IsUp && IsRenewing && CanServe);
}

/// <summary>Who a VIP is placed on (null: nobody) under which epoch.</summary>
public readonly record struct Assignment(NodeId? Owner, long Epoch);

/// <summary>A VIP that changed hands, with the new epoch the new owner must renew with.</summary>
public sealed record AssignmentChange(string Vip, NodeId? From, NodeId? To, long Epoch);

/// <summary>The allocator's answer: every assignment, the changed ones, and the epoch counter to keep.</summary>
public sealed record PlacementDecision(
    IReadOnlyDictionary<string, Assignment> Assignments,
    IReadOnlyList<AssignmentChange> Changes,
    long EpochCounter);
