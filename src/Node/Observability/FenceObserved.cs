namespace ActorVip.Node.Observability;

/// <summary>
/// The node agent's kernel fence broke (<paramref name="Ok"/> false: it could be neither refreshed nor installed again, and the
/// node holds no VIP) or was installed again, and why. Drives actorvip_fence_ok and /readyz.
/// </summary>
public sealed record FenceObserved(bool Ok, string Reason);
