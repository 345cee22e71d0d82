using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Ipvs;

/// <summary>
/// What identifies a virtual service to the kernel: protocol, address and port, or a firewall mark with its
/// address family. Everything else about a service can be edited in place.
/// </summary>
public sealed record IpvsServiceKey
{
    private IpvsServiceKey(AddressFamily family, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
    {
        Family = family;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = firewallMark;
    }

    public AddressFamily Family { get; }
    public IpvsProtocol Protocol { get; }
    /// <summary>Null for a firewall-mark service.</summary>
    public IPAddress? Address { get; }
    public ushort Port { get; }
    /// <summary>Non-zero for a firewall-mark service.</summary>
    public uint FirewallMark { get; }

    public bool IsFirewallMark => FirewallMark != 0;

    public static IpvsServiceKey Of(IpvsProtocol protocol, IPAddress address, ushort port) =>
        new(address.AddressFamily, protocol, address, port, 0);

    public static IpvsServiceKey Tcp(IPAddress address, ushort port) => Of(IpvsProtocol.Tcp, address, port);
    public static IpvsServiceKey Udp(IPAddress address, ushort port) => Of(IpvsProtocol.Udp, address, port);
    public static IpvsServiceKey Sctp(IPAddress address, ushort port) => Of(IpvsProtocol.Sctp, address, port);

    public static IpvsServiceKey ForFirewallMark(uint mark, AddressFamily family = AddressFamily.InterNetwork)
    {
        if (mark == 0) throw new ArgumentOutOfRangeException(nameof(mark), "A firewall mark service needs a mark above 0.");
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentOutOfRangeException(nameof(family), "IPVS services are IPv4 or IPv6.");
        // The kernel records fwmark services as TCP; keeping the same value makes keys read back equal.
        return new(family, IpvsProtocol.Tcp, null, 0, mark);
    }

    public override string ToString() => IsFirewallMark
        ? $"fwmark {FirewallMark}{(Family == AddressFamily.InterNetworkV6 ? " (IPv6)" : "")}"
        : $"{Protocol.ToString().ToLowerInvariant()} {IpvsEndpoint.Format(Address!, Port)}";
}
