using ActorVip.Ownership;

namespace ActorVip.Node.Configuration;

/// <summary>Everything a node is configured with, validated; read once at start. MetricsAddress is HOST:PORT, or ":PORT" for every address.</summary>
public sealed record NodeSettings(
    string Interface,
    IReadOnlyList<VipAddress> Vips,
    Endpoint NodeAddress,
    IReadOnlyList<Endpoint> Seeds,
    string SystemName,
    AnnounceSettings Announce,
    AddressSettings Address,
    LeaseSettings Lease,
    FenceSettings Fence,
    LoadBalancerSettings LoadBalancer,
    string MetricsAddress = "127.0.0.1:2112",
    TlsSettings? Tls = null)
{
    /// <summary>The configured number of voting nodes (<c>actorvip.nodes</c>, the seeds); the lease counts its majority of them.</summary>
    public int Nodes => Lease.Voters;

    /// <summary>The transport security settings; off when none were read.</summary>
    public TlsSettings TransportSecurity => Tls ?? TlsSettings.Off;
}

public sealed record AnnounceSettings(TimeSpan RepeatAfter, TimeSpan RefreshInterval);

/// <summary>ValidLifetime null means forever.</summary>
public sealed record AddressSettings(TimeSpan? ValidLifetime, TimeSpan CheckInterval);

public sealed record FenceSettings(bool Enabled, string Table);

public sealed record LoadBalancerSettings(
    bool Enabled,
    int Port,
    int BackendPort,
    ForwardingMethod Method,
    string Scheduler,
    IReadOnlyList<Endpoint> Backends,
    bool MemberBackends = true,
    HealthSettings? Health = null)
{
    /// <summary>The health-check settings, reference.conf's defaults when none were read.</summary>
    public HealthSettings HealthCheck => Health ?? HealthSettings.Default;
}

public enum HealthCheckKind
{
    Tcp,
    Https,
}

/// <summary>What happens to a backend that failed its health check `fall` times in a row.</summary>
public enum HealthFailureAction
{
    WeightZero,
    Remove,
}

/// <summary>actorvip.lb.health: how backends are checked and what a failure does.</summary>
public sealed record HealthSettings(
    HealthCheckKind Kind,
    string Path,
    bool AcceptAnyCertificate,
    TimeSpan Interval,
    TimeSpan Timeout,
    int Rise,
    int Fall,
    HealthFailureAction OnFailure,
    bool KeepVipWhenNoneHealthy,
    TimeSpan MoveVipAfter)
{
    public static HealthSettings Default { get; } = new(HealthCheckKind.Tcp, "/readyz", false, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 2, 2, HealthFailureAction.WeightZero, true, TimeSpan.FromSeconds(3));
}
