namespace ActorVip.Node.Ipvs;

/// <summary>Connection timeouts in seconds (ipvsadm --set); 0 in a change leaves that value as it is.</summary>
public sealed record IpvsTimeouts(uint Tcp, uint TcpFin, uint Udp);
