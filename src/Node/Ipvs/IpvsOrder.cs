using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Ipvs;

/// <summary>
/// The order in which ipvsadm lists services and destinations (libipvs ipvs_cmp_services / ipvs_cmp_dests),
/// including its C arithmetic: unsigned differences read as int, so addresses far apart can sort out of numeric order.
/// </summary>
public static class IpvsOrder
{
    public static int CompareServices(IpvsService a, IpvsService b)
    {
        var x = a.Key;
        var y = b.Key;
        var r = (int)(x.FirewallMark - y.FirewallMark);
        if (r != 0) return r;
        r = Af(x.Family) - Af(y.Family);
        if (r != 0) return r;
        // The kernel reports fwmark services as TCP; ipvsadm compares what it was given, which is the same.
        r = (ushort)x.Protocol - (ushort)y.Protocol;
        if (r != 0) return r;
        r = CompareAddresses(x.Family, x.Address, y.Address);
        if (r != 0) return r;
        return x.Port - y.Port;
    }

    public static int CompareDestinations(IpvsDestination a, IpvsDestination b)
    {
        var r = CompareAddresses(a.Address.AddressFamily, a.Address, b.Address);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    private static int CompareAddresses(AddressFamily family, IPAddress? a, IPAddress? b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        x.Clear();
        y.Clear();
        a?.TryWriteBytes(x, out _);
        b?.TryWriteBytes(y, out _);
        var words = family == AddressFamily.InterNetworkV6 ? 4 : 1;
        var r = 0;
        for (var i = 0; r == 0 && i < words; i++)
            r = (int)(BinaryPrimitives.ReadUInt32BigEndian(x[(i * 4)..]) - BinaryPrimitives.ReadUInt32BigEndian(y[(i * 4)..]));
        return r;
    }

    private static int Af(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 10 : 2;
}
