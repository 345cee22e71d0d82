namespace ActorVip.Node.Ipvs;

/// <summary>The encapsulation of a tunnel destination (IP_VS_CONN_F_TUNNEL_TYPE_*).</summary>
public enum TunnelType : byte
{
    Ipip = 0,
    Gue = 1,
    Gre = 2,
}

/// <summary>Checksum handling of a GUE or GRE tunnel (IP_VS_TUNNEL_ENCAP_FLAG_*).</summary>
public enum TunnelChecksum : ushort
{
    None = 0,
    Checksum = 1,
    RemoteChecksum = 2,
}
