namespace ActorVip.Ownership;

/// <summary>
/// What the allocator knows about a node's view of its backends (docs/LOAD-BALANCING.md): no recent report,
/// at least one healthy backend, none healthy for less than move-vip-after, or none healthy for longer (failing).
/// </summary>
public enum BackendHealth
{
    Unknown,
    Healthy,
    Unhealthy,
    Failing,
}
