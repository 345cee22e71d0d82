namespace ActorVip.Messages.Ownership;

// Published on the node's own event stream for metrics and `actorvip status`; observation only, never decisions.

/// <summary>This node put <paramref name="Vip"/> up: a majority acked its lease at <paramref name="Epoch"/>.</summary>
public sealed record VipAcquired(string Vip, long Epoch, NodeId Node);

/// <summary>This node took <paramref name="Vip"/> down (lease lost, placed elsewhere, or stopping).</summary>
public sealed record VipReleased(string Vip, long Epoch, NodeId Node, string Reason);

/// <summary>A renewal of a held or acquiring lease reached a majority of acks <paramref name="Latency"/> after it was sent.</summary>
public sealed record LeaseRenewalAcked(string Vip, long Epoch, TimeSpan Latency);

/// <summary>
/// The <see cref="LeaseRenewalAcked"/> of one message of the agent (a voter's answers to a renewal round), published as one
/// event: one per VIP was 2,000 events a second through the event stream on a node holding 500 VIPs.
/// </summary>
public sealed record LeaseRenewalsAcked(IReadOnlyList<LeaseRenewalAcked> Items);

/// <summary>This node's voter acked a new owner for <paramref name="Vip"/>; <paramref name="From"/> is the owner it acked before (null: none since it
/// started).</summary>
public sealed record PromiseMoved(string Vip, long Epoch, NodeId? From, NodeId To);
