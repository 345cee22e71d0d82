using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>Decodes the attributes of IPVS dump replies into the model.</summary>
internal static class IpvsReply
{
    public static (IpvsServiceKey Key, IpvsServiceSettings Settings, IpvsStats Stats) Service(NetlinkAttributes service)
    {
        var family = Family(service.U16(IpvsNl.SvcAf));
        var ipv6 = family == AddressFamily.InterNetworkV6;
        IpvsServiceKey key = service.U32(IpvsNl.SvcFwmark) is { } mark and not 0
            ? IpvsServiceKey.ForFirewallMark(mark, family)
            : IpvsServiceKey.Of(
                (IpvsProtocol)(service.U16(IpvsNl.SvcProtocol) ?? 0),
                Address(service, IpvsNl.SvcAddr, family),
                service.U16BigEndian(IpvsNl.SvcPort) ?? 0);

        var flags = service.TryGet(IpvsNl.SvcFlags, out var f) && f.Length >= 4
            ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(f)
            : 0;
        var netmask = ipv6
            ? (int)(service.U32(IpvsNl.SvcNetmask) ?? 128)
            : System.Numerics.BitOperations.PopCount(service.U32BigEndian(IpvsNl.SvcNetmask) ?? uint.MaxValue);
        var pe = service.String(IpvsNl.SvcPeName);
        var settings = new IpvsServiceSettings(
            service.String(IpvsNl.SvcSchedName) ?? "",
            Persistent: (flags & IpvsNl.SvcFPersistent) != 0,
            Timeout: service.U32(IpvsNl.SvcTimeout) ?? 0,
            NetmaskBits: IpvsServiceSettings.Netmask(netmask, ipv6),
            OnePacket: (flags & IpvsNl.SvcFOnePacket) != 0,
            SchedulerFlags: (SchedulerFlags)(flags & (IpvsNl.SvcFSched1 | IpvsNl.SvcFSched2 | IpvsNl.SvcFSched3)),
            PersistenceEngine: string.IsNullOrEmpty(pe) ? null : pe);
        return (key, settings, Stats(service, IpvsNl.SvcStats64, IpvsNl.SvcStats));
    }

    public static IpvsDestinationStatus DestinationStatus(NetlinkAttributes dest, AddressFamily serviceFamily) => new(
        Destination(dest, serviceFamily),
        dest.U32(IpvsNl.DestActiveConns) ?? 0,
        dest.U32(IpvsNl.DestInactConns) ?? 0,
        dest.U32(IpvsNl.DestPersistConns) ?? 0,
        Stats(dest, IpvsNl.DestStats64, IpvsNl.DestStats));

    /// <summary>The destination without its counters, in one pass over the attributes: a table read decodes thousands.</summary>
    public static IpvsDestination Destination(NetlinkAttributes dest, AddressFamily serviceFamily)
    {
        ReadOnlySpan<byte> address = default;
        var family = serviceFamily;
        ushort port = 0, tunnelPort = 0, tunnelFlags = 0;
        uint forwarding = 0, weight = 0, upper = 0, lower = 0;
        byte tunnelType = 0;
        foreach (var a in dest)
        {
            var v = a.Value;
            switch (a.Type)
            {
                case IpvsNl.DestAddr: address = v; break;
                case IpvsNl.DestAddrFamily when v.Length >= 2: family = Family(BinaryPrimitives.ReadUInt16LittleEndian(v)); break;
                case IpvsNl.DestPort when v.Length >= 2: port = BinaryPrimitives.ReadUInt16BigEndian(v); break;
                case IpvsNl.DestFwdMethod when v.Length >= 4: forwarding = BinaryPrimitives.ReadUInt32LittleEndian(v); break;
                case IpvsNl.DestWeight when v.Length >= 4: weight = BinaryPrimitives.ReadUInt32LittleEndian(v); break;
                case IpvsNl.DestUThresh when v.Length >= 4: upper = BinaryPrimitives.ReadUInt32LittleEndian(v); break;
                case IpvsNl.DestLThresh when v.Length >= 4: lower = BinaryPrimitives.ReadUInt32LittleEndian(v); break;
                case IpvsNl.DestTunType when v.Length >= 1: tunnelType = v[0]; break;
                case IpvsNl.DestTunPort when v.Length >= 2: tunnelPort = BinaryPrimitives.ReadUInt16BigEndian(v); break;
                case IpvsNl.DestTunFlags when v.Length >= 2: tunnelFlags = BinaryPrimitives.ReadUInt16LittleEndian(v); break;
            }
        }
        return new IpvsDestination(
            Address(address, family),
            port,
            (ForwardingMethod)(forwarding & IpvsNl.ConnFFwdMask),
            (int)weight,
            upper,
            lower,
            (TunnelType)tunnelType,
            tunnelPort,
            (TunnelChecksum)tunnelFlags);
    }

    private static IpvsStats Stats(NetlinkAttributes parent, ushort stats64, ushort stats32)
    {
        if (parent.TryGet(stats64, out var wide))
        {
            var s = new NetlinkAttributes(wide);
            return new IpvsStats(
                s.U64(IpvsNl.StatsConns) ?? 0, s.U64(IpvsNl.StatsInPkts) ?? 0, s.U64(IpvsNl.StatsOutPkts) ?? 0,
                s.U64(IpvsNl.StatsInBytes) ?? 0, s.U64(IpvsNl.StatsOutBytes) ?? 0,
                s.U64(IpvsNl.StatsCps) ?? 0, s.U64(IpvsNl.StatsInPps) ?? 0, s.U64(IpvsNl.StatsOutPps) ?? 0,
                s.U64(IpvsNl.StatsInBps) ?? 0, s.U64(IpvsNl.StatsOutBps) ?? 0);
        }
        if (parent.TryGet(stats32, out var narrow))
        {
            // The older layout: byte counters are 64-bit, the rest 32-bit.
            var s = new NetlinkAttributes(narrow);
            return new IpvsStats(
                s.U32(IpvsNl.StatsConns) ?? 0, s.U32(IpvsNl.StatsInPkts) ?? 0, s.U32(IpvsNl.StatsOutPkts) ?? 0,
                s.U64(IpvsNl.StatsInBytes) ?? 0, s.U64(IpvsNl.StatsOutBytes) ?? 0,
                s.U32(IpvsNl.StatsCps) ?? 0, s.U32(IpvsNl.StatsInPps) ?? 0, s.U32(IpvsNl.StatsOutPps) ?? 0,
                s.U32(IpvsNl.StatsInBps) ?? 0, s.U32(IpvsNl.StatsOutBps) ?? 0);
        }
        return IpvsStats.Zero;
    }

    private static IPAddress Address(NetlinkAttributes attrs, ushort type, AddressFamily family) =>
        attrs.TryGet(type, out var bytes) ? Address(bytes, family) : Address(default, family);

    private static IPAddress Address(ReadOnlySpan<byte> bytes, AddressFamily family)
    {
        if (bytes.IsEmpty) throw new InvalidDataException("The kernel sent an IPVS entry without an address.");
        var size = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        if (bytes.Length < size) throw new InvalidDataException($"The kernel sent an IPVS address of {bytes.Length} bytes.");
        return new IPAddress(bytes[..size]);
    }

    private static AddressFamily Family(ushort? af) => af switch
    {
        IpvsNl.AfInet6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.InterNetwork,
    };
}
