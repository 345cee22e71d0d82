namespace ActorVip.Node.Ipvs;

/// <summary>The transport protocol of a virtual service; values are the IP protocol numbers IPVS uses.</summary>
public enum IpvsProtocol : ushort
{
    Tcp = 6,
    Udp = 17,
    Sctp = 132,
}
