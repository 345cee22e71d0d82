namespace ActorVip.Node.Ipvs;

/// <summary>A virtual service with its destinations, in the order given.</summary>
public sealed record IpvsService(IpvsServiceKey Key, IpvsServiceSettings Settings, IReadOnlyList<IpvsDestination> Destinations)
{
    public IpvsService(IpvsServiceKey key, IpvsServiceSettings settings, params IpvsDestination[] destinations)
        : this(key, settings, (IReadOnlyList<IpvsDestination>)destinations)
    {
    }

    public override string ToString() => Key.ToString();
}
