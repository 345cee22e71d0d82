namespace ActorVip.Lab.Simulation;

/// <summary>What happened at one instant of a simulation.</summary>
public enum TimelineKind
{
    /// <summary>The address was put on the node's interface (Detail: its valid lifetime).</summary>
    AddressAdded,
    AddressRemoved,
    /// <summary>The fence lets the VIP through until <see cref="TimelineEvent.Until"/>.</summary>
    FenceOwned,
    FenceDisowned,
    /// <summary>The fence table was (re)created or removed: nothing owned. A node with no such event is not fenced.</summary>
    FenceReset,
    Announced,
    Fault,
    Heal,
    /// <summary>A scenario's milestone (owner found, recovery reached, ...).</summary>
    Mark,
    /// <summary>A line the node logged (lease granted, lease lost, placement, ...).</summary>
    Log,
}

/// <summary>
/// One entry of the shared timeline. <paramref name="At"/> is monotonic time since the timeline started;
/// <paramref name="Until"/> is the absolute expiry of a fence element or an address lifetime (null: none).
/// </summary>
public sealed record TimelineEvent(long Sequence, TimeSpan At, string Node, string? Vip, TimelineKind Kind, TimeSpan? Until, string Detail)
{
    public override string ToString()
    {
        var until = Until is { } u ? $" until={u.TotalMilliseconds:0}ms" : "";
        var vip = Vip is null ? "" : $" vip={Vip}";
        var detail = Detail.Length == 0 ? "" : " " + Detail;
        return $"{At.TotalMilliseconds,9:0.0}ms {Node,-4} {Kind,-14}{vip}{until}{detail}";
    }
}
