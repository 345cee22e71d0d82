namespace ActorVip.Messages.Ownership;

// Placement (docs/DESIGN.md, "The quorum lease", step 2): the VipAllocator singleton talks to each node's NodeAgent.

/// <summary>Allocator to agent: you should own <paramref name="Vip"/> at <paramref name="Epoch"/>. Re-sent until confirmed; idempotent.</summary>
public sealed record Assign(string Vip, long Epoch);

/// <summary>
/// Deputy to its own node's agent (never on the wire): no allocator reaches a majority of voters and the VIP's owner is
/// gone, so acquire <paramref name="Vip"/> at <paramref name="Epoch"/> as if assigned. A claim may yield: while still
/// acquiring, a voter's refusal naming another node than <paramref name="PreviousOwner"/> (another deputy, or the
/// allocator's choice) makes it let go when that node is listed before this one among the voters, or once it waited a
/// promise-time (DeputyPlacement.ClaimYields).
/// </summary>
public sealed record Claim(string Vip, long Epoch, NodeId? PreviousOwner);

/// <summary>Allocator to agent: give <paramref name="Vip"/> up (it is placed elsewhere from <paramref name="Epoch"/> on).</summary>
public sealed record Revoke(string Vip, long Epoch);

/// <summary>
/// Agent to allocator: I dropped the VIP (and release it to the voters once it is silenced); place it again now, at an
/// epoch above <paramref name="LearntEpoch"/>: the highest epoch a voter reported when it refused me (0 when none, and
/// from a node of a version before this field). Re-assigning the same epoch would only be refused again.
/// </summary>
public sealed record Released(string Vip, long Epoch, NodeId Owner, long LearntEpoch = 0);

/// <summary>
/// Allocator to one agent: every <see cref="Revoke"/> and <see cref="Assign"/> one decision has for that node, in one message
/// (revokes first, as they were sent before), so that a failover or a graceful stop of 500 VIPs is one message per node and
/// not 1,000 (docs/BENCHMARKS.md, "1,000 VIPs over real processes"). A decision with a single message for the node sends
/// that message itself.
/// </summary>
public sealed record Placements(IReadOnlyList<Revoke> Revokes, IReadOnlyList<Assign> Assigns);

/// <summary>Agent to allocator: several <see cref="Released"/> of one message of the agent (a graceful stop, an interface down) in one.</summary>
public sealed record ReleasedBatch(IReadOnlyList<Released> Items);

/// <summary>Agent to allocator: this node is stopping; place nothing here any more.</summary>
public sealed record Leaving(NodeId Node);

/// <summary>Agent to allocator, periodically: what this node can serve (health of its local backend).</summary>
public sealed record AgentReport(NodeId Node, bool BackendHealthy, IReadOnlyDictionary<string, long> Holding);

/// <summary>
/// Agent to allocator: whether this node can hold its VIPs (the interfaces they live on exist, are up and have carrier, and
/// its kernel fence is installed), and why. Sent on every change and re-sent every few seconds while <paramref name="Eligible"/>
/// is false, so that a new allocator learns it; the allocator places nothing it cannot hold on the node and takes what it
/// holds of it away.
/// </summary>
/// <param name="Vips">
/// With <paramref name="Eligible"/> false: the VIPs the node cannot hold (their own interface is down) while it holds the
/// others; null: it can hold none (every VIP interface down), which is also what a node before this field meant. A reader
/// before this field takes every ineligible node as holding none: it moves the others away too, which is safe. With
/// <paramref name="Cause"/> <see cref="IneligibleCause.Fence"/> the node holds none whatever the list says (<see cref="WholeNode"/>):
/// the list then names every VIP of the node, for a reader before the cause, which takes it as "none of these".
/// </param>
/// <param name="Cause">
/// With <paramref name="Eligible"/> false: what keeps the node from holding VIPs, for `actorvip status` (a VIP moved for it says
/// <c>link</c> or <c>fence</c>). A node before this field sent none: it reads as <see cref="IneligibleCause.Link"/>, the only
/// cause there was when most of those nodes were built.
/// </param>
public sealed record Eligibility(NodeId Node, bool Eligible, string Reason, IReadOnlyList<string>? Vips = null,
    IneligibleCause Cause = IneligibleCause.Link)
{
    /// <summary>Whether the node can hold none of its VIPs (rather than only the VIPs of <see cref="Vips"/>).</summary>
    public bool WholeNode => Vips is null || Cause == IneligibleCause.Fence;

    public bool Equals(Eligibility? other) =>
        other is not null && Node == other.Node && Eligible == other.Eligible && Reason == other.Reason && Cause == other.Cause &&
        (Vips is null ? other.Vips is null : other.Vips is not null && Vips.SequenceEqual(other.Vips));

    public override int GetHashCode() => HashCode.Combine(Node, Eligible, Reason, Vips?.Count, Cause);
}

/// <summary>
/// Why a node said it cannot hold VIPs (<see cref="Eligibility.Cause"/>). The numbers are on the wire: never renumbered or reused.
/// </summary>
public enum IneligibleCause : byte
{
    /// <summary>An interface its VIPs live on is gone, administratively down or without carrier; also a node before the cause.</summary>
    Link = 0,

    /// <summary>Its kernel fence (nftables) can be neither refreshed nor installed again: the fence guards every VIP.</summary>
    Fence = 1,
}

/// <summary>Where each node's agent lives, so that the allocator (src/Cluster) and the agent (src/Node) spell it once.</summary>
public static class AgentPath
{
    public const string Name = "agent";

    /// <param name="node">The node, e.g. akka.tcp://actorvip@192.0.2.11:4053.</param>
    public static string Of(NodeId node) => $"{node.Value}/user/{Name}";
}

/// <summary>`actorvip status` (through a node's allocator proxy) to the allocator: why is each VIP where it is?</summary>
public sealed record GetPlacement
{
    public static readonly GetPlacement Instance = new();
}

/// <summary>
/// One VIP as the allocator placed it: owner (null: nobody) and epoch, and why, in words that stay stable on the wire and in
/// `actorvip status`: kept, preferred, spread, health, link, fence, failover, away-from-allocator, unplaced; recovering while the
/// allocator has not yet heard a majority of voters.
/// </summary>
public sealed record PlacementEntry(string Vip, NodeId? Owner, long Epoch, string Reason);

/// <summary>The allocator's answer to <see cref="GetPlacement"/>: every VIP it places, ordered by VIP.</summary>
public sealed record PlacementReport(NodeId Allocator, IReadOnlyList<PlacementEntry> Vips);

/// <summary>
/// Agent to allocator: the VIPs this node is configured for, with what placement needs of each (issue 14 §5). Sent at start, after
/// every reload that changed them, and when an allocator asks (<see cref="GetDeclaration"/>). The allocator places the union of what
/// its Up members declare, each VIP only on nodes that declare it; a node that never declares (one before this message) is taken to
/// declare the allocator's own list. A new message rather than a field of <see cref="Eligibility"/>: that one is sent on link
/// changes only, and its fields are already ordered for readers before them; an allocator before this message drops it with one
/// deserialization error per message and places as before.
/// </summary>
public sealed record VipDeclaration(NodeId Node, IReadOnlyList<DeclaredVip> Vips)
{
    public bool Equals(VipDeclaration? other) => other is not null && Node == other.Node && Vips.SequenceEqual(other.Vips);

    public override int GetHashCode() => HashCode.Combine(Node, Vips.Count);
}

/// <summary>One VIP of a <see cref="VipDeclaration"/>: its address text and its placement settings (preference, preempt, preempt-delay, health).</summary>
public sealed record DeclaredVip(string Vip, IReadOnlyList<NodeId> Preference, bool Preempt, TimeSpan PreemptDelay, bool MoveWhenNoneHealthy)
{
    public bool Equals(DeclaredVip? other) =>
        other is not null && Vip == other.Vip && Preference.SequenceEqual(other.Preference) && Preempt == other.Preempt &&
        PreemptDelay == other.PreemptDelay && MoveWhenNoneHealthy == other.MoveWhenNoneHealthy;

    public override int GetHashCode() => HashCode.Combine(Vip, Preference.Count, Preempt, PreemptDelay, MoveWhenNoneHealthy);
}

/// <summary>Allocator to every agent when it starts and when a member comes Up: declare your VIPs (<see cref="VipDeclaration"/>).</summary>
public sealed record GetDeclaration
{
    public static readonly GetDeclaration Instance = new();
}
