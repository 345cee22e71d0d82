using System.Net;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>One server behind a VIP: its address and the port IPVS sends to.</summary>
public sealed record Backend(IPAddress Address, ushort Port)
{
    public IpvsDestinationKey Key => new(Address, Port);

    public override string ToString() => IpvsEndpoint.Format(Address, Port);
}
