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

    /// <summary>
    /// With <see cref="Preempt"/>: how long a more preferred node must have been eligible, without a break
    /// (<see cref="MemberView.EligibleFor"/>), before it takes the VIP back. A node that flaps never does.
    /// </summary>
    public TimeSpan PreemptDelay { get; init; }
}

/// <summary>
/// A cluster member as the allocator sees it. <see cref="IsReachable"/> should also be false for a node whose
/// renewals stopped reaching the allocator's own voter, so that failover does not wait for the failure detector.
/// <see cref="IsRenewing"/>: the allocator's own voter has seen this node renew a lease it holds (or it was placed
/// moments ago and is still within its grace to get one); such a node keeps what it owns even while some other
/// node's failure detector calls it unreachable. <see cref="CanServe"/> is false while the node said it cannot hold VIPs
/// (<see cref="Messages.Ownership.Eligibility"/>: every VIP interface of it is gone, down or without carrier, or its kernel
/// fence is broken; <see cref="CannotServeCause"/> says which); <see cref="Unservable"/> names the VIPs it cannot hold while
/// it holds the others (their own interface is down).
/// </summary>
public sealed record MemberView(NodeId Node, bool HasVipRole, bool IsUp, bool IsReachable, BackendHealth Health, bool IsRenewing = false,
    bool CanServe = true)
{
    /// <summary>A node that reported healthy (true) or unhealthy (false) backends.</summary>
    public MemberView(NodeId node, bool hasVipRole, bool isUp, bool isReachable, bool backendHealthy, bool isRenewing = false)
        : this(node, hasVipRole, isUp, isReachable, backendHealthy ? BackendHealth.Healthy : BackendHealth.Unhealthy, isRenewing) { }

    /// <summary>
    /// How long the node has been eligible without a break, as the allocator saw it (<see cref="VipSpec.PreemptDelay"/>);
    /// by default as long as can be.
    /// </summary>
    public TimeSpan EligibleFor { get; init; } = TimeSpan.MaxValue;

    /// <summary>
    /// Why the node said it cannot hold VIPs (<see cref="CanServe"/> false, or <see cref="Unservable"/>): a VIP moved for it
    /// says <see cref="PlacementReason.Link"/> or <see cref="PlacementReason.Fence"/>.
    /// </summary>
    public IneligibleCause CannotServeCause { get; init; } = IneligibleCause.Link;

    /// <summary>The VIPs this node cannot hold though it holds others (the interface they live on is down); empty: none.</summary>
    public IReadOnlySet<string> Unservable { get; init; } = NoVips;

    /// <summary>
    /// VIPs that were <see cref="Unservable"/> here a while ago, and how long each has been servable again without a break:
    /// <see cref="EligibleForVip"/> counts the preempt delay from then (<see cref="EligibleSince"/>).
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> ServableFor { get; init; } = new Dictionary<string, TimeSpan>();

    private static readonly IReadOnlySet<string> NoVips = new HashSet<string>();

    /// <summary>
    /// The VIPs this node is configured for (<see cref="DeclaredVips"/>, issue 14 §5): it is given and keeps none other. Null: every VIP
    /// placed, as every node was before nodes declared their VIPs.
    /// </summary>
    public IReadOnlySet<string>? Declared { get; init; }

    /// <summary>
    /// Whether this node may hold <paramref name="vip"/>: it declares it (<see cref="Declared"/>) and, as far as its interfaces go,
    /// can hold it (not one of <see cref="Unservable"/>).
    /// </summary>
    public bool Serves(string vip) => !Unservable.Contains(vip) && (Declared is null || Declared.Contains(vip));

    /// <summary>
    /// How long this node has been eligible for <paramref name="vip"/> without a break: the node's, or less since the VIP's
    /// interface returned.
    /// </summary>
    public TimeSpan EligibleForVip(string vip) =>
        !Serves(vip) ? TimeSpan.Zero : ServableFor.TryGetValue(vip, out var since) && since < EligibleFor ? since : EligibleFor;

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

/// <summary>Why a VIP is where it is (or nowhere), as <see cref="Placement"/> decided it; shown by <c>actorvip status</c>.</summary>
public enum PlacementReason
{
    /// <summary>No node may hold it: none is eligible.</summary>
    Unplaced = 0,

    /// <summary>The owner keeps it: it still may, and no rule moves it.</summary>
    Kept = 1,

    /// <summary>Placed on (or, with preempt, taken back by) the most preferred eligible node.</summary>
    Preferred = 2,

    /// <summary>Placed on the node with the fewest VIPs: no preference decided it.</summary>
    Spread = 3,

    /// <summary>Moved because the owner's health failed while another node's did not.</summary>
    Health = 4,

    /// <summary>Moved because the owner said it cannot hold it (the interface the VIP lives on is down, gone or without carrier).</summary>
    Link = 5,

    /// <summary>Moved because the owner went away: down, unreachable, leaving, or no longer renewing its lease.</summary>
    Failover = 6,

    /// <summary>Moved off the allocator's own node, so that one crash never takes the owner and the allocator together.</summary>
    AwayFromAllocator = 7,

    /// <summary>Moved because the owner said it cannot hold any VIP: its kernel fence can be neither refreshed nor installed again.</summary>
    Fence = 8,
}

/// <summary>The words of <see cref="PlacementReason"/> on the wire (<see cref="Messages.Ownership.PlacementEntry"/>) and in `actorvip status`.</summary>
public static class PlacementReasons
{
    /// <summary>What an allocator that has not yet heard a majority of voters says of every VIP.</summary>
    public const string Recovering = "recovering";

    public static string Text(PlacementReason reason) => reason switch
    {
        PlacementReason.Kept => "kept",
        PlacementReason.Preferred => "preferred",
        PlacementReason.Spread => "spread",
        PlacementReason.Health => "health",
        PlacementReason.Link => "link",
        PlacementReason.Fence => "fence",
        PlacementReason.Failover => "failover",
        PlacementReason.AwayFromAllocator => "away-from-allocator",
        _ => "unplaced",
    };
}

/// <summary>The allocator's answer: every assignment, the changed ones, and the epoch counter to keep.</summary>
public sealed record PlacementDecision(
    IReadOnlyDictionary<string, Assignment> Assignments,
    IReadOnlyList<AssignmentChange> Changes,
    long EpochCounter)
{
    /// <summary>Why each VIP of <see cref="Assignments"/> is where it is.</summary>
    public IReadOnlyDictionary<string, PlacementReason> Reasons { get; init; } = new Dictionary<string, PlacementReason>();

    /// <summary>
    /// How soon a preferred node waiting out its <see cref="VipSpec.PreemptDelay"/> could take a VIP back (the allocator
    /// looks again then); null when none waits.
    /// </summary>
    public TimeSpan? NextPreemption { get; init; }
}
