using System.Buffers.Binary;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>
/// Encodes the RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR requests for a VIP. Attribute order follows
/// iproute2 (IFA_LOCAL, IFA_FLAGS, IFA_ADDRESS, IFA_CACHEINFO) so requests compare byte for byte with `ip addr`.
/// </summary>
internal static class AddressMessages
{
    /// <summary>Add or refresh: NLM_F_CREATE|NLM_F_REPLACE, preferred lifetime 0, the given valid lifetime.</summary>
    public static void WriteAdd(NetlinkWriter writer, uint seq, int interfaceIndex, VipAddress vip, TimeSpan? validLifetime)
    {
        writer.BeginMessage(Rtm.NewAddr, Nl.FRequest | Nl.FAck | Nl.FCreate | Nl.FReplace, seq);
        WriteHeader(writer, interfaceIndex, vip);
        writer.AttrAddress(Rtm.IfaLocal, vip.Address);
        var flags = Flags(vip);
        // iproute2 leaves ifa_flags 0 when it sends IFA_FLAGS; the kernel (>= 3.14) reads IFA_FLAGS first.
        if (flags != 0) writer.AttrU32(Rtm.IfaFlags, flags);
        writer.AttrAddress(Rtm.IfaAddress, vip.Address);
        Span<byte> cacheInfo = stackalloc byte[Rtm.IfaCacheInfoSize];
        cacheInfo.Clear(); // ifa_prefered 0: the VIP is "deprecated", never preferred as a source (IPv6; see RtnetlinkAddresses)
        BinaryPrimitives.WriteUInt32LittleEndian(cacheInfo[4..], ValidSeconds(validLifetime));
        writer.Attr(Rtm.IfaCacheInfo, cacheInfo);
        writer.EndMessage();
    }

    public static void WriteDelete(NetlinkWriter writer, uint seq, int interfaceIndex, VipAddress vip)
    {
        writer.BeginMessage(Rtm.DelAddr, Nl.FRequest | Nl.FAck, seq);
        WriteHeader(writer, interfaceIndex, vip);
        writer.AttrAddress(Rtm.IfaLocal, vip.Address);
        writer.AttrAddress(Rtm.IfaAddress, vip.Address);
        writer.EndMessage();
    }

    /// <summary>Dump request for one family (AF_INET / AF_INET6) or both (0).</summary>
    public static void WriteDump(NetlinkWriter writer, uint seq, byte family)
    {
        writer.BeginMessage(Rtm.GetAddr, Nl.FRequest | Nl.FDump, seq);
        writer.Fixed(Rtm.IfAddrMsgSize)[0] = family;
        writer.EndMessage();
    }

    /// <summary>NODAD on IPv6 (a VIP must work at once); NOPREFIXROUTE below the full length, so a VIP never adds a route.</summary>
    public static uint Flags(VipAddress vip) =>
        (vip.IsIPv6 ? Rtm.IfaFNoDad : 0) | (vip.PrefixLength < vip.MaxPrefixLength ? Rtm.IfaFNoPrefixRoute : 0);

    /// <summary>Whole seconds, rounded up and at least 1 (0 would delete at once); null is forever.</summary>
    public static uint ValidSeconds(TimeSpan? validLifetime)
    {
        if (validLifetime is not { } lifetime) return Rtm.InfiniteLifetime;
        var seconds = Math.Ceiling(lifetime.TotalSeconds);
        return seconds < 1 ? 1u : seconds >= Rtm.InfiniteLifetime ? Rtm.InfiniteLifetime - 1 : (uint)seconds;
    }

    public static byte Family(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Rtm.AfInet6 : Rtm.AfInet;

    private static void WriteHeader(NetlinkWriter writer, int interfaceIndex, VipAddress vip)
    {
        var header = writer.Fixed(Rtm.IfAddrMsgSize);
        header[0] = Family(vip.Address);
        header[1] = (byte)vip.PrefixLength;
        header[2] = 0;
        header[3] = Rtm.ScopeUniverse;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], interfaceIndex);
    }
}
