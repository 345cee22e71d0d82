namespace ActorVip.Messages.Ownership;

/// <summary>
/// A node's identity in the ownership protocol, e.g. "akka.tcp://actorvip@192.0.2.11:4053".
/// Opaque: only compared for equality and, for deterministic tie-breaks, ordinally.
/// </summary>
public readonly record struct NodeId(string Value) : IComparable<NodeId>
{
    public int CompareTo(NodeId other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
