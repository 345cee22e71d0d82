namespace ActorVip.Messages.Commands;

/// <summary>To a VipActor: the lease was renewed and stays valid for <paramref name="Remaining"/>; refresh the kernel fence.</summary>
public sealed record LeaseRenewed(TimeSpan Remaining);

/// <summary>To a NodeAgent: release every VIP now (graceful stop); answered with <see cref="AllReleased"/>.</summary>
public sealed record ReleaseAll(string Reason);

public sealed record AllReleased(int Count);
