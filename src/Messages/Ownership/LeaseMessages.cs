namespace ActorVip.Messages.Ownership;

// The quorum lease (docs/DESIGN.md, "The quorum lease"). Wire form: src/Cluster/Wire/OwnershipSerializer.

/// <summary>
/// Owner to every voter, every renew-interval: "promise me <paramref name="Vip"/> at <paramref name="Epoch"/>". A voter
/// promises (or refuses) as always; it answers an ack only when <paramref name="AckWanted"/>, since the owner needs acks
/// from a majority only. Refusals are always answered. <paramref name="Fingerprint"/> is the digest of the owner's voters,
/// N, lease-time and margin (LeaseFingerprint): a voter with other settings refuses (<see cref="NackReason.SettingsDiffer"/>);
/// null from a node of a version before it, whose renewal is decided as before.
/// </summary>
public sealed record Renew(string Vip, long Epoch, NodeId Owner, long RenewalId, bool AckWanted = true, long? Fingerprint = null);

/// <summary>Voter to owner: promised; the voter acks nobody else for this VIP until lease-time + margin from now.</summary>
public sealed record RenewAck(string Vip, long Epoch, NodeId Voter, long RenewalId);

/// <summary>
/// Voter to owner: refused, with what the voter knows: the highest epoch it has seen and whom it promised (if anyone);
/// with <see cref="NackReason.SettingsDiffer"/> also the voter's own fingerprint text (<paramref name="VoterFingerprint"/>,
/// LeaseFingerprint.Text), so that the owner can name the setting that differs.
/// </summary>
public sealed record RenewNack(string Vip, long Epoch, NodeId Voter, long RenewalId, NackReason Reason, long HighestEpoch, NodeId? PromisedTo,
    string? VoterFingerprint = null);

/// <summary>
/// Owner to every voter, every renew-interval: one <see cref="Renew"/> for each of its VIPs in one message (issue 15 §2), so
/// that an owner of 200 VIPs sends one message per voter per round, not 200. Each item is decided exactly as a Renew of the
/// same VIP, epoch, owner, renewal id and fingerprint would be. <paramref name="RenewalId"/> is shared by every item: the
/// owner gives each of its leases the same id for a round (OwnerLease.NextRenewal).
/// </summary>
public sealed record RenewBatch(NodeId Owner, long RenewalId, long? Fingerprint, IReadOnlyList<RenewItem> Items);

/// <summary>One VIP of a <see cref="RenewBatch"/>: its epoch, and whether this voter's ack is wanted (refusals always come back).</summary>
public sealed record RenewItem(string Vip, long Epoch, bool AckWanted);

/// <summary>
/// Voter to owner: the answers to one <see cref="RenewBatch"/>, one item per VIP that needs an answer (an ack wanted, or
/// any refusal). Each promise stays per VIP.
/// </summary>
public sealed record RenewAnswers(NodeId Voter, long RenewalId, IReadOnlyList<RenewAnswer> Items);

/// <summary>
/// One VIP's answer in <see cref="RenewAnswers"/>: an ack when <paramref name="Refusal"/> is null, else a refusal with what
/// <see cref="RenewNack"/> carries (the highest epoch, whom the voter promised, and with SettingsDiffer its fingerprint text).
/// </summary>
public sealed record RenewAnswer(string Vip, long Epoch, NackReason? Refusal = null, long HighestEpoch = 0, NodeId? PromisedTo = null,
    string? VoterFingerprint = null);

/// <summary>Why a voter refused a renewal. The numbers are the wire form: never renumber or reuse one.</summary>
public enum NackReason
{
    /// <summary>The voter started less than lease-time + margin ago and cannot know what it promised before.</summary>
    Restarting = 0,

    /// <summary>A higher epoch of this VIP exists: it was placed again, elsewhere or here.</summary>
    StaleEpoch = 1,

    /// <summary>The voter's promise to another owner has not run out yet.</summary>
    PromisedToOther = 2,

    /// <summary>This owner released this epoch moments ago; a late renewal must not bind the voter again.</summary>
    Released = 3,

    /// <summary>
    /// The renewal's fingerprint (voters, N, lease-time, margin) differs from the voter's: acking would let the owner count
    /// a majority or a lease the voter does not share. It does not count as an ack and never makes the owner give up.
    /// </summary>
    SettingsDiffer = 4,
}

/// <summary>Owner to every voter after it dropped the VIP: the promise may go at once (graceful handover).</summary>
public sealed record ReleaseLease(string Vip, long Epoch, NodeId Owner);

/// <summary>
/// Owner to every voter: the <see cref="ReleaseLease"/> of several VIPs silenced together, in one message per voter (a
/// graceful stop of 500 VIPs sent 1,500 messages). A single release is sent as a <see cref="ReleaseLease"/>.
/// </summary>
public sealed record ReleaseBatch(NodeId Owner, IReadOnlyList<ReleaseItem> Items);

/// <summary>One VIP of a <see cref="ReleaseBatch"/>: the epoch whose promise may go.</summary>
public sealed record ReleaseItem(string Vip, long Epoch);

/// <summary>Allocator to voter: what have you promised? Answered with <see cref="VoterPromises"/>.</summary>
public sealed record GetPromises
{
    public static readonly GetPromises Instance = new();
}

/// <summary>One voter's records for every VIP it has heard of, ordered by VIP; a recovering allocator collects these from a majority.</summary>
public sealed record VoterPromises(NodeId Voter, IReadOnlyList<PromiseInfo> Promises);

/// <summary>
/// One VIP as a voter sees it: its live promise (<paramref name="PromisedTo"/> null when none) and the highest epoch
/// seen. <paramref name="PromiseRemaining"/> is a duration, not the voter's clock reading, so it means the same on any node.
/// </summary>
public sealed record PromiseInfo(string Vip, NodeId? PromisedTo, long PromisedEpoch, TimeSpan PromiseRemaining, long HighestEpoch, NodeId? HighestEpochOwner);
