namespace ActorVip.Messages.Queries;

/// <summary>To a NodeAgent: answer <see cref="Pong"/> (the service watchdog's liveness probe).</summary>
public sealed record Ping
{
    public static readonly Ping Instance = new();
}

public sealed record Pong
{
    public static readonly Pong Instance = new();
}
