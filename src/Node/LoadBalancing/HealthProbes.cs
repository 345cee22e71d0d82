using System.Collections.Concurrent;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// The real health probes, one per distinct check of the configuration (an HTTP client is kept, not made per check
/// or per acquisition); they are disposed with the drivers. Thread-safe.
/// </summary>
public sealed class HealthProbes : IHealthProbes, IDisposable
{
    private static readonly TcpProbe Tcp = new();
    private readonly ConcurrentDictionary<string, IHealthProbe> _probes = new(StringComparer.Ordinal);

    public IHealthProbe For(HealthSettings health) => health.Kind switch
    {
        HealthCheckKind.Tcp or HealthCheckKind.None => Tcp,
        HealthCheckKind.Http or HealthCheckKind.Https => _probes.GetOrAdd(
            $"{health.Kind} {health.Path} {health.StatusMin}-{health.StatusMax} {health.AcceptAnyCertificate}",
            _ => new HttpProbe(health.Kind == HealthCheckKind.Https, health.Path, health.AcceptAnyCertificate, health.StatusMin, health.StatusMax)),
        HealthCheckKind.Udp => _probes.GetOrAdd($"udp {health.Request}\n{health.Expect}",
            _ => new UdpProbe(HealthPayload.Decode(health.Request), HealthPayload.Decode(health.Expect))),
        _ => throw new ArgumentOutOfRangeException(nameof(health), health.Kind, "unknown health check kind"),
    };

    public void Dispose()
    {
        foreach (var probe in _probes.Values) (probe as IDisposable)?.Dispose();
        _probes.Clear();
    }
}
