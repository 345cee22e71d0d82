namespace ActorVip.Ownership;

/// <summary>
/// A voter's answer to one renewal: an ack (<see cref="Refusal"/> null) or a refusal with what the voter knows
/// instead: the owner it promised to (if any) and the highest epoch it has seen for the VIP.
/// </summary>
public readonly record struct Vote(NackReason? Refusal, NodeId? KnownOwner, long KnownEpoch)
{
    public static readonly Vote Ack = new(null, null, 0);

    public bool IsAck => Refusal is null;

    public static Vote Nack(NackReason reason, NodeId? knownOwner, long knownEpoch) => new(reason, knownOwner, knownEpoch);
}
