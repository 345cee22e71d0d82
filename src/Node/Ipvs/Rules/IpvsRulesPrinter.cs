using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Ipvs.Rules;

/// <summary>
/// Writes services and changes in ipvsadm's rule format: the lines `ipvsadm -S -n` prints and `ipvsadm -R` reads,
/// in the same order. Where ipvsadm has no word, this format adds one (see <see cref="IpvsRulesParser"/>):
/// --local and --bypass for those forwarding methods (ipvsadm prints -g and "(null)"), and -x/-y for thresholds
/// (ipvsadm accepts them but does not save them).
/// </summary>
public static class IpvsRulesPrinter
{
    /// <summary>The whole table, sorted as ipvsadm sorts it, one line per service and destination.</summary>
    public static string Save(IpvsTable table)
    {
        var text = new StringBuilder();
        var services = table.Services.ToList();
        services.Sort(IpvsOrder.CompareServices);
        foreach (var service in services)
        {
            text.Append(ServiceLine("-A", service.Key, service.Settings)).Append('\n');
            var destinations = service.Destinations.ToList();
            destinations.Sort(IpvsOrder.CompareDestinations);
            foreach (var destination in destinations)
                text.Append(DestinationLine("-a", service.Key, destination)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>One change as the ipvsadm command that makes it (-A/-E/-D, -a/-e/-d).</summary>
    public static string Change(IpvsOperation operation) => operation switch
    {
        AddService add => ServiceLine("-A", add.Service, add.Settings),
        EditService edit => ServiceLine("-E", edit.Service, edit.Settings),
        DeleteService delete => $"-D {ServiceSpec(delete.Service)}",
        AddDestination add => DestinationLine("-a", add.Service, add.Destination),
        EditDestination edit => DestinationLine("-e", edit.Service, edit.Destination),
        DeleteDestination delete => $"-d {ServiceSpec(delete.Service)} -r {IpvsEndpoint.Format(delete.Destination.Address, delete.Destination.Port)}",
        _ => throw new ArgumentException($"Unknown IPVS operation {operation.GetType().Name}.", nameof(operation)),
    };

    public static string ServiceSpec(IpvsServiceKey key)
    {
        if (key.IsFirewallMark)
            return key.Family == AddressFamily.InterNetworkV6 ? $"-f {key.FirewallMark} -6" : $"-f {key.FirewallMark}";
        var option = key.Protocol switch
        {
            IpvsProtocol.Tcp => "-t",
            IpvsProtocol.Udp => "-u",
            IpvsProtocol.Sctp => "--sctp-service",
            _ => "--xxx-service",
        };
        return $"{option} {IpvsEndpoint.Format(key.Address!, key.Port)}";
    }

    private static string ServiceLine(string command, IpvsServiceKey key, IpvsServiceSettings s)
    {
        var line = new StringBuilder($"{command} {ServiceSpec(key)} -s {s.Scheduler}");
        var ipv6 = key.Family == AddressFamily.InterNetworkV6;
        if (s.Persistent)
        {
            line.Append(" -p ").Append(s.Timeout);
            if (s.NetmaskBits is { } bits) line.Append(" -M ").Append(ipv6 ? bits.ToString() : Ipv4Mask(bits));
        }
        if (s.PersistenceEngine is { Length: > 0 } pe) line.Append(" --pe ").Append(pe);
        if (s.OnePacket) line.Append(" -o");
        if (s.SchedulerFlags != SchedulerFlags.None) line.Append(" -b ").Append(SchedulerFlagNames(s.Scheduler, s.SchedulerFlags));
        return line.ToString();
    }

    private static string DestinationLine(string command, IpvsServiceKey service, IpvsDestination d)
    {
        var line = new StringBuilder($"{command} {ServiceSpec(service)} -r {IpvsEndpoint.Format(d.Address, d.Port)} " +
            $"{ForwardingWord(d.Forwarding)} -w {d.Weight}");
        if (d.Forwarding == ForwardingMethod.Tunnel)
        {
            switch (d.TunnelType)
            {
                case TunnelType.Ipip:
                    line.Append(" --tun-type ipip");
                    break;
                case TunnelType.Gue:
                    line.Append(" --tun-type gue --tun-port ").Append(d.TunnelPort).Append(' ').Append(ChecksumWord(d.TunnelChecksum));
                    break;
                case TunnelType.Gre:
                    line.Append(" --tun-type gre ").Append(ChecksumWord(d.TunnelChecksum));
                    break;
            }
        }
        if (d.UpperThreshold != 0) line.Append(" -x ").Append(d.UpperThreshold);
        if (d.LowerThreshold != 0) line.Append(" -y ").Append(d.LowerThreshold);
        return line.ToString();
    }

    public static string ForwardingWord(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Masquerade => "-m",
        ForwardingMethod.Tunnel => "-i",
        ForwardingMethod.DirectRoute => "-g",
        ForwardingMethod.Local => "--local",
        ForwardingMethod.Bypass => "--bypass",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown forwarding method."),
    };

    private static string ChecksumWord(TunnelChecksum checksum) => checksum switch
    {
        TunnelChecksum.Checksum => "--tun-csum",
        TunnelChecksum.RemoteChecksum => "--tun-remcsum",
        _ => "--tun-nocsum",
    };

    private static string SchedulerFlagNames(string scheduler, SchedulerFlags flags)
    {
        var names = new List<string>();
        if (scheduler is "sh" or "mh")
        {
            if (flags.HasFlag(SchedulerFlags.Flag1)) names.Add($"{scheduler}-fallback");
            if (flags.HasFlag(SchedulerFlags.Flag2)) names.Add($"{scheduler}-port");
        }
        else
        {
            if (flags.HasFlag(SchedulerFlags.Flag1)) names.Add("flag-1");
            if (flags.HasFlag(SchedulerFlags.Flag2)) names.Add("flag-2");
            if (flags.HasFlag(SchedulerFlags.Flag3)) names.Add("flag-3");
        }
        return string.Join(',', names);
    }

    private static string Ipv4Mask(byte bits)
    {
        Span<byte> mask = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mask, bits == 0 ? 0 : uint.MaxValue << (32 - bits));
        return new IPAddress(mask).ToString();
    }
}
