using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Ipvs;

/// <summary>Writes address:port the way ipvsadm does: IPv6 in brackets.</summary>
public static class IpvsEndpoint
{
    public static string Format(IPAddress address, ushort port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
