namespace ActorVip.Cluster.Ownership;

/// <summary>
/// What one voter knows about one VIP: its unexpired promise (if any) and the highest epoch it has seen.
/// <see cref="PromiseRemaining"/> is a duration, not the voter's clock reading, so it means the same on any node.
/// </summary>
public sealed record VipVoterRecord(string Vip, NodeId? PromisedTo, long PromisedEpoch, TimeSpan PromiseRemaining, long HighestEpoch, NodeId? HighestEpochOwner);

/// <summary>One voter's records for every VIP it has heard of; a recovering allocator collects these from a majority.</summary>
public sealed record VoterSnapshot(NodeId Voter, IReadOnlyList<VipVoterRecord> Vips);
