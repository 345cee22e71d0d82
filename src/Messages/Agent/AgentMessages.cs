namespace ActorVip.Messages.Agent;

// Messages inside one node: to its NodeAgent and to the VipActor that holds a VIP. Never on the wire.

/// <summary>
/// To a VipActor: the lease was renewed; refresh the kernel fence. It carries no duration: the holder computes the fence
/// timeout from the lease's absolute end (HolderLease) when it acts, so a renewal delivered late cannot open the fence late.
/// </summary>
public sealed record LeaseRenewed
{
    public static readonly LeaseRenewed Instance = new();
}

/// <summary>
/// From a stopping VipActor to its NodeAgent, after its children stopped: whether the VIP is silenced, that is its fence
/// element deleted and its address removed with the kernel's acknowledgement of both. Only then may the agent release
/// the lease: a release lets a successor acquire at once.
/// </summary>
public sealed record Silenced(string Vip, long Epoch, bool Ok);

/// <summary>To a NodeAgent: release every VIP now (graceful stop); answered with <see cref="AllReleased"/>.</summary>
public sealed record ReleaseAll(string Reason);

/// <summary>The NodeAgent's answer to <see cref="ReleaseAll"/>: every VIP is down and its voters were told.</summary>
public sealed record AllReleased
{
    public static readonly AllReleased Instance = new();
}

/// <summary>To a NodeAgent: answer <see cref="Pong"/> (the service watchdog's liveness probe).</summary>
public sealed record Ping
{
    public static readonly Ping Instance = new();
}

public sealed record Pong
{
    public static readonly Pong Instance = new();
}
