using System.Net;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// The load-balancing side of one simulated machine: an IPVS that accepts every change (the simulation checks
/// ownership, not tables), no NAT, and health checks that pass or fail as the scenario sets <see cref="Healthy"/>:
/// "this machine's backends fail" as its own view, which is what placement acts on.
/// </summary>
public sealed class SimulatedBackends : IIpvsDriver, ISourceNat, IHealthProbe
{
    private volatile bool _healthy = true;

    /// <summary>Whether every backend answers this machine's checks.</summary>
    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public IpvsTable List() => IpvsTable.Empty;

    public void Execute(IReadOnlyList<IpvsOperation> operations)
    {
    }

    public void Masquerade(IPAddress vip)
    {
    }

    public void Unmasquerade(IPAddress vip)
    {
    }

    public void Remove()
    {
    }

    public Task<bool> CheckAsync(Backend backend, CancellationToken cancel) => Task.FromResult(_healthy);
}
