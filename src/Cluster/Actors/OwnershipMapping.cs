using ActorVip.Cluster.Ownership;
using Wire = ActorVip.Messages.Ownership;

namespace ActorVip.Cluster.Actors;

/// <summary>Converts between the wire messages (strings) and the ownership logic's types.</summary>
public static class OwnershipMapping
{
    public static Wire.NackReason ToWire(this NackReason reason) => reason switch
    {
        NackReason.Restarting => Wire.NackReason.Restarting,
        NackReason.StaleEpoch => Wire.NackReason.StaleEpoch,
        NackReason.PromisedToOther => Wire.NackReason.PromisedToOther,
        NackReason.Released => Wire.NackReason.Released,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "An ack has no nack reason."),
    };

    public static NackReason FromWire(this Wire.NackReason reason) => reason switch
    {
        Wire.NackReason.Restarting => NackReason.Restarting,
        Wire.NackReason.StaleEpoch => NackReason.StaleEpoch,
        Wire.NackReason.Released => NackReason.Released,
        _ => NackReason.PromisedToOther,
    };

    public static Wire.VoterPromises ToWire(this VoterSnapshot snapshot) => new(
        snapshot.Voter.Value,
        snapshot.Vips.Select(v => new Wire.PromiseInfo(v.Vip, v.PromisedTo?.Value, v.PromisedEpoch, v.PromiseRemaining, v.HighestEpoch, v.HighestEpochOwner?.Value)).ToList());

    public static VoterSnapshot FromWire(this Wire.VoterPromises promises) => new(
        new NodeId(promises.Voter),
        promises.Promises.Select(p => new VipVoterRecord(p.Vip, Node(p.PromisedTo), p.PromisedEpoch, p.PromiseRemaining, p.HighestEpoch, Node(p.HighestEpochOwner))).ToList());

    private static NodeId? Node(string? value) => value is null ? null : new NodeId(value);
}
