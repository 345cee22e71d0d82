using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.LoadBalancing;

/// <summary>The real probe of a VIP health check (health-checks): the backend checks' TCP and HTTP(S) probes, and <see cref="ExecProbe"/>.</summary>
public static class VipHealthProbes
{
    public static IHealthProbe For(VipHealthCheck check, Action<string> log) => check.Health.Kind switch
    {
        HealthCheckKind.Tcp => new TcpProbe(),
        HealthCheckKind.Http or HealthCheckKind.Https => new HttpProbe(check.Health.Kind == HealthCheckKind.Https, check.Health.Path,
            check.Health.AcceptAnyCertificate, check.Health.StatusMin, check.Health.StatusMax, check.CaFile),
        HealthCheckKind.Exec => new ExecProbe(check.Command, check.Args, log),
        _ => throw new ArgumentOutOfRangeException(nameof(check), check.Health.Kind, "not a VIP health check type"),
    };
}
