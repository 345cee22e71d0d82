using ActorVip.Messages.Model;

namespace ActorVip.Messages.Configuration;

/// <summary>Everything a node is configured with, validated; read once at start. MetricsAddress is HOST:PORT, or ":PORT" for every address.</summary>
public sealed record NodeSettings(
    string Interface,
    IReadOnlyList<VipAddress> Vips,
    Endpoint NodeAddress,
    IReadOnlyList<Endpoint> Seeds,
    int Nodes,
    string SystemName,
    AnnounceSettings Announce,
    AddressSettings Address,
    LeaseOptions Lease,
    FenceSettings Fence,
    LoadBalancerSettings LoadBalancer,
    string MetricsAddress = "127.0.0.1:2112")
{
    public int Majority => Nodes / 2 + 1;
}

public sealed record AnnounceSettings(TimeSpan RepeatAfter, TimeSpan RefreshInterval);

/// <summary>ValidLifetime null means forever.</summary>
public sealed record AddressSettings(TimeSpan? ValidLifetime, TimeSpan CheckInterval);

public sealed record LeaseOptions(TimeSpan LeaseTime, TimeSpan RenewInterval, TimeSpan Margin);

public sealed record FenceSettings(bool Enabled, string Table);

public sealed record LoadBalancerSettings(
    bool Enabled,
    int Port,
    int BackendPort,
    ForwardingMethod Method,
    string Scheduler,
    IReadOnlyList<Endpoint> Backends);
