namespace ActorVip.Node.Ipvs;

/// <summary>Counters and rates of a service or destination (IPVS_STATS_ATTR_*).</summary>
public sealed record IpvsStats(
    ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes,
    ulong ConnectionsPerSecond, ulong InPacketsPerSecond, ulong OutPacketsPerSecond, ulong InBytesPerSecond, ulong OutBytesPerSecond)
{
    public static IpvsStats Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>A service as listed, with its counters.</summary>
public sealed record IpvsServiceStatus(IpvsService Service, IpvsStats Stats, IReadOnlyList<IpvsDestinationStatus> Destinations);

/// <summary>A destination as listed, with its connection counts and counters.</summary>
public sealed record IpvsDestinationStatus(
    IpvsDestination Destination, uint ActiveConnections, uint InactiveConnections, uint PersistentConnections, IpvsStats Stats);
