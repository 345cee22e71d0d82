using ActorVip.Messages.Ownership;

namespace ActorVip.Node.Actors;

/// <summary>The epoch and node a VipActor holds its VIP for, so that its acquired/released log lines name them.</summary>
public sealed record OwnerTag(long Epoch, NodeId Node)
{
    public static OwnerTag Unknown { get; } = new(0, new NodeId(""));
}
