using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Drivers;

/// <summary>One health check of one backend; true when it passed. Cancelled at the check timeout.</summary>
public interface IHealthProbe
{
    Task<bool> CheckAsync(Backend backend, CancellationToken cancel);
}
