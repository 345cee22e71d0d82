namespace ActorVip.Cluster.Ownership;

/// <summary>Why a voter refused a renewal.</summary>
public enum NackReason
{
    /// <summary>Ack, not a refusal.</summary>
    None = 0,

    /// <summary>The voter started less than lease-time + margin ago and cannot remember what it promised before.</summary>
    Restarting,

    /// <summary>The voter has seen a higher epoch for this VIP: the VIP was placed elsewhere since.</summary>
    StaleEpoch,

    /// <summary>The voter's promise to another owner has not run out yet.</summary>
    PromisedToOther,

    /// <summary>This owner released this epoch less than lease-time + margin ago; a late renewal must not bind the voter again.</summary>
    Released,
}

/// <summary>
/// A voter's answer to one renewal. On a nack, <see cref="KnownOwner"/> and <see cref="KnownEpoch"/> say what the
/// voter knows instead: the owner it promised to (if any) and the highest epoch it has seen for the VIP.
/// </summary>
public readonly record struct Vote(NackReason Reason, NodeId? KnownOwner, long KnownEpoch)
{
    public static readonly Vote Ack = new(NackReason.None, null, 0);

    public bool IsAck => Reason == NackReason.None;

    public static Vote Nack(NackReason reason, NodeId? knownOwner, long knownEpoch) =>
        reason == NackReason.None ? throw new ArgumentException("A nack needs a reason.", nameof(reason)) : new(reason, knownOwner, knownEpoch);
}
