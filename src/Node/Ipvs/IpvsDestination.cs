using System.Net;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Ipvs;

/// <summary>A real server of a virtual service; address and port identify it, the rest can be edited in place.</summary>
public sealed record IpvsDestination(
    IPAddress Address,
    ushort Port,
    ForwardingMethod Forwarding = ForwardingMethod.Masquerade,
    int Weight = 1,
    uint UpperThreshold = 0,
    uint LowerThreshold = 0,
    TunnelType TunnelType = TunnelType.Ipip,
    ushort TunnelPort = 0,
    TunnelChecksum TunnelChecksum = TunnelChecksum.None)
{
    public IpvsDestinationKey Key => new(Address, Port);

    public override string ToString() => IpvsEndpoint.Format(Address, Port);
}

/// <summary>Address and port of a destination: what the kernel looks it up by within its service.</summary>
public readonly record struct IpvsDestinationKey(IPAddress Address, ushort Port)
{
    public override string ToString() => IpvsEndpoint.Format(Address, Port);
}
