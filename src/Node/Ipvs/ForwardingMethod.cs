namespace ActorVip.Node.Ipvs;

/// <summary>How IPVS hands a connection to a destination (IP_VS_CONN_F_FWD_MASK values).</summary>
public enum ForwardingMethod : uint
{
    Masquerade = 0,
    Local = 1,
    Tunnel = 2,
    DirectRoute = 3,
    Bypass = 4,
}
