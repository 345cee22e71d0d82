using ActorVip.Node.Configuration;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Drivers;

/// <summary>One health check of one backend; true when it passed. Cancelled at the check timeout.</summary>
public interface IHealthProbe
{
    Task<bool> CheckAsync(Backend backend, CancellationToken cancel);
}

/// <summary>The probe that carries out a configured check (each service of a VIP has its own).</summary>
public interface IHealthProbes
{
    IHealthProbe For(HealthSettings health);
}

/// <summary>One probe for every check: simulations and tests, whose probes answer from a model.</summary>
public sealed class SingleProbe(IHealthProbe probe) : IHealthProbes
{
    public IHealthProbe For(HealthSettings health) => probe;
}
