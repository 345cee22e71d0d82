using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.GenericNetlink;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>
/// Encodes IPVS requests. Attribute order and sizes follow what ipvsadm (libipvs) sends, so that the golden
/// bytes captured from ipvsadm compare equal: addresses go in 16 bytes (union nf_inet_addr).
/// </summary>
internal static class IpvsRequest
{
    private const ushort ChangeFlags = Nl.FRequest | Nl.FAck;
    private const ushort DumpFlags = Nl.FRequest | Nl.FDump;

    public static void Write(NetlinkWriter writer, ushort familyId, uint seq, IpvsOperation operation)
    {
        switch (operation)
        {
            case AddService add:
                Service(writer, familyId, IpvsNl.CmdNewService, seq, add.Service, add.Settings);
                break;
            case EditService edit:
                Service(writer, familyId, IpvsNl.CmdSetService, seq, edit.Service, edit.Settings);
                break;
            case DeleteService delete:
                Service(writer, familyId, IpvsNl.CmdDelService, seq, delete.Service, null);
                break;
            case AddDestination add:
                Destination(writer, familyId, IpvsNl.CmdNewDest, seq, add.Service, add.Destination.Key, add.Destination);
                break;
            case EditDestination edit:
                Destination(writer, familyId, IpvsNl.CmdSetDest, seq, edit.Service, edit.Destination.Key, edit.Destination);
                break;
            case DeleteDestination delete:
                Destination(writer, familyId, IpvsNl.CmdDelDest, seq, delete.Service, delete.Destination, null);
                break;
            default:
                throw new ArgumentException($"Unknown IPVS operation {operation.GetType().Name}.", nameof(operation));
        }
    }

    public static void DumpServices(NetlinkWriter writer, ushort familyId, uint seq) =>
        writer.BeginGenericMessage(familyId, IpvsNl.CmdGetService, IpvsNl.Version, DumpFlags, seq).EndMessage();

    public static void DumpDestinations(NetlinkWriter writer, ushort familyId, uint seq, IpvsServiceKey service)
    {
        writer.BeginGenericMessage(familyId, IpvsNl.CmdGetDest, IpvsNl.Version, DumpFlags, seq);
        writer.BeginNested(IpvsNl.AttrService);
        ServiceKey(writer, service);
        writer.EndNested().EndMessage();
    }

    public static void Simple(NetlinkWriter writer, ushort familyId, uint seq, byte command) =>
        writer.BeginGenericMessage(familyId, command, IpvsNl.Version, ChangeFlags, seq).EndMessage();

    public static void SetTimeouts(NetlinkWriter writer, ushort familyId, uint seq, IpvsTimeouts timeouts)
    {
        writer.BeginGenericMessage(familyId, IpvsNl.CmdSetConfig, IpvsNl.Version, ChangeFlags, seq)
            .AttrU32(IpvsNl.AttrTimeoutTcp, timeouts.Tcp)
            .AttrU32(IpvsNl.AttrTimeoutTcpFin, timeouts.TcpFin)
            .AttrU32(IpvsNl.AttrTimeoutUdp, timeouts.Udp)
            .EndMessage();
    }

    private static void Service(NetlinkWriter writer, ushort familyId, byte command, uint seq, IpvsServiceKey key, IpvsServiceSettings? settings)
    {
        writer.BeginGenericMessage(familyId, command, IpvsNl.Version, ChangeFlags, seq);
        writer.BeginNested(IpvsNl.AttrService);
        ServiceKey(writer, key);
        if (settings is not null)
        {
            var ipv6 = key.Family == AddressFamily.InterNetworkV6;
            writer.AttrString(IpvsNl.SvcSchedName, settings.Scheduler);
            if (settings.PersistenceEngine is { Length: > 0 } pe) writer.AttrString(IpvsNl.SvcPeName, pe);
            Span<byte> flags = stackalloc byte[8]; // struct ip_vs_flags { flags, mask }: set every flag as given
            BinaryPrimitives.WriteUInt32LittleEndian(flags, Flags(settings));
            BinaryPrimitives.WriteUInt32LittleEndian(flags[4..], uint.MaxValue);
            writer.Attr(IpvsNl.SvcFlags, flags);
            writer.AttrU32(IpvsNl.SvcTimeout, settings.Timeout);
            var prefix = settings.PrefixLength(ipv6);
            // IPv4 carries the mask itself in network order, IPv6 the prefix length.
            if (ipv6) writer.AttrU32(IpvsNl.SvcNetmask, (uint)prefix);
            else writer.AttrU32BigEndian(IpvsNl.SvcNetmask, prefix == 0 ? 0 : uint.MaxValue << (32 - prefix));
        }
        writer.EndNested().EndMessage();
    }

    private static void ServiceKey(NetlinkWriter writer, IpvsServiceKey key)
    {
        writer.AttrU16(IpvsNl.SvcAf, Family(key.Family));
        if (key.IsFirewallMark)
        {
            writer.AttrU32(IpvsNl.SvcFwmark, key.FirewallMark);
            return;
        }
        writer.AttrU16(IpvsNl.SvcProtocol, (ushort)key.Protocol);
        Address(writer, IpvsNl.SvcAddr, key.Address!);
        writer.AttrU16BigEndian(IpvsNl.SvcPort, key.Port);
    }

    private static void Destination(NetlinkWriter writer, ushort familyId, byte command, uint seq, IpvsServiceKey service, IpvsDestinationKey key,
        IpvsDestination? full)
    {
        writer.BeginGenericMessage(familyId, command, IpvsNl.Version, ChangeFlags, seq);
        writer.BeginNested(IpvsNl.AttrService);
        ServiceKey(writer, service);
        writer.EndNested();
        writer.BeginNested(IpvsNl.AttrDest);
        writer.AttrU16(IpvsNl.DestAddrFamily, Family(key.Address.AddressFamily));
        Address(writer, IpvsNl.DestAddr, key.Address);
        writer.AttrU16BigEndian(IpvsNl.DestPort, key.Port);
        if (full is not null)
        {
            writer.AttrU32(IpvsNl.DestFwdMethod, (uint)full.Forwarding);
            writer.AttrU32(IpvsNl.DestWeight, (uint)full.Weight);
            writer.AttrU8(IpvsNl.DestTunType, (byte)full.TunnelType);
            writer.AttrU16BigEndian(IpvsNl.DestTunPort, full.TunnelPort);
            writer.AttrU16(IpvsNl.DestTunFlags, (ushort)full.TunnelChecksum);
            writer.AttrU32(IpvsNl.DestUThresh, full.UpperThreshold);
            writer.AttrU32(IpvsNl.DestLThresh, full.LowerThreshold);
        }
        writer.EndNested().EndMessage();
    }

    private static uint Flags(IpvsServiceSettings settings) =>
        (settings.Persistent ? IpvsNl.SvcFPersistent : 0)
        | (settings.OnePacket ? IpvsNl.SvcFOnePacket : 0)
        | (uint)settings.SchedulerFlags;

    private static void Address(NetlinkWriter writer, ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[IpvsNl.InetAddrSize];
        bytes.Clear();
        address.TryWriteBytes(bytes, out _);
        writer.Attr(type, bytes);
    }

    internal static ushort Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => IpvsNl.AfInet,
        AddressFamily.InterNetworkV6 => IpvsNl.AfInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPVS handles IPv4 and IPv6 only."),
    };
}
