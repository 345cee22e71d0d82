using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Ipvs.Rules;

/// <summary>
/// Reads ipvsadm's rule format (what `ipvsadm -S -n` prints): one -A line per service and one -a line per
/// destination, with ipvsadm's short and long options. Blank lines and lines starting with # are skipped.
/// Words this format adds where ipvsadm has none: --local (forward to this host) and --bypass (pass packets to
/// their original destination). Defaults are ipvsadm's: scheduler wlc, forwarding -g, weight 1, -p 300.
/// A destination may come only after the -A line of its service.
/// </summary>
public static class IpvsRulesParser
{
    public const int MaxLineLength = 1024;

    public static IpvsTable Parse(string text)
    {
        var services = new Dictionary<IpvsServiceKey, (IpvsServiceSettings Settings, List<IpvsDestination> Destinations)>();
        var order = new List<IpvsServiceKey>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            // ipvsadm -S writes lines of under 200 characters and no control characters: anything else is not a rules file.
            if (raw.Length > MaxLineLength)
                throw new IpvsRulesException(lineNumber, $"the line is longer than {MaxLineLength} characters (is this a rules file?)");
            if (raw.Any(c => char.IsControl(c) && c is not ('\t' or '\r')))
                throw new IpvsRulesException(lineNumber, "the line holds a control character (is this a rules file?)");
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = new Words(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries), lineNumber);
            var command = words.Next("a command");
            switch (command)
            {
                case "-A" or "--add-service":
                    {
                        var (key, settings) = ParseService(words);
                        if (services.ContainsKey(key)) throw words.Error($"service {key} is defined twice");
                        services[key] = (settings, new List<IpvsDestination>());
                        order.Add(key);
                        break;
                    }
                case "-a" or "--add-server":
                    {
                        var (key, destination) = ParseDestination(words);
                        if (!services.TryGetValue(key, out var service))
                            throw words.Error($"destination for service {key}, which no earlier -A line defines");
                        if (service.Destinations.Any(d => d.Key == destination.Key))
                            throw words.Error($"destination {destination} is listed twice in service {key}");
                        service.Destinations.Add(destination);
                        break;
                    }
                default:
                    throw words.Error($"'{command}' is not a rule: a line starts with -A (service) or -a (destination)");
            }
        }
        return new IpvsTable(order.Select(k => new IpvsService(k, services[k].Settings, services[k].Destinations.ToArray())));
    }

    private static (IpvsServiceKey, IpvsServiceSettings) ParseService(Words words)
    {
        ServiceSpec spec = new();
        var scheduler = IpvsServiceSettings.DefaultScheduler;
        var persistent = false;
        uint timeout = 0;
        string? netmask = null;
        var onePacket = false;
        string? pe = null;
        string? flags = null;
        while (words.TryNext(out var word))
        {
            if (spec.TryRead(word, words)) continue;
            switch (word)
            {
                case "-s" or "--scheduler":
                    scheduler = words.Next("a scheduler name");
                    if (scheduler.Length is 0 or > 15) throw words.Error($"scheduler name '{scheduler}' must have 1 to 15 characters");
                    break;
                case "-p" or "--persistent":
                    persistent = true;
                    timeout = words.TryNextNumber(out var t) ? words.Number(t, 1, 86400 * 31, "persistence timeout") : IpvsServiceSettings.DefaultPersistence;
                    break;
                case "-M" or "--netmask":
                    netmask = words.Next("a netmask");
                    break;
                case "-o" or "--ops":
                    onePacket = true;
                    break;
                case "--pe":
                    pe = words.Next("a persistence engine name");
                    break;
                case "-b" or "--sched-flags":
                    flags = words.Next("scheduler flags");
                    break;
                default:
                    throw words.Error($"unknown service option '{word}'");
            }
        }
        var key = spec.Key(words);
        var ipv6 = key.Family == AddressFamily.InterNetworkV6;
        var bits = netmask is null ? (ipv6 ? 128 : 32) : ParseNetmask(netmask, ipv6, words);
        var settings = new IpvsServiceSettings(scheduler, persistent, timeout, IpvsServiceSettings.Netmask(bits, ipv6), onePacket,
            flags is null ? SchedulerFlags.None : ParseSchedulerFlags(flags, words), pe);
        return (key, settings);
    }

    private static (IpvsServiceKey, IpvsDestination) ParseDestination(Words words)
    {
        ServiceSpec spec = new();
        string? server = null;
        var forwarding = ForwardingMethod.DirectRoute;
        var weight = 1;
        uint upper = 0, lower = 0;
        string? tunnelType = null;
        ushort tunnelPort = 0;
        TunnelChecksum? checksum = null;
        while (words.TryNext(out var word))
        {
            if (spec.TryRead(word, words)) continue;
            switch (word)
            {
                case "-r" or "--real-server":
                    server = words.Next("a real server address");
                    break;
                case "-m" or "--masquerading":
                    forwarding = ForwardingMethod.Masquerade;
                    break;
                case "-g" or "--gatewaying":
                    forwarding = ForwardingMethod.DirectRoute;
                    break;
                case "-i" or "--ipip":
                    forwarding = ForwardingMethod.Tunnel;
                    break;
                case "--local":
                    forwarding = ForwardingMethod.Local;
                    break;
                case "--bypass":
                    forwarding = ForwardingMethod.Bypass;
                    break;
                case "-w" or "--weight":
                    weight = (int)words.Number(words.Next("a weight"), 0, int.MaxValue, "weight");
                    break;
                case "-x" or "--u-threshold":
                    upper = words.Number(words.Next("an upper threshold"), 0, int.MaxValue, "upper threshold");
                    break;
                case "-y" or "--l-threshold":
                    lower = words.Number(words.Next("a lower threshold"), 0, int.MaxValue, "lower threshold");
                    break;
                case "--tun-type":
                    tunnelType = words.Next("a tunnel type (ipip, gue, gre)");
                    break;
                case "--tun-port":
                    tunnelPort = (ushort)words.Number(words.Next("a tunnel port"), 1, 65535, "tunnel port");
                    break;
                case "--tun-nocsum":
                    checksum = TunnelChecksum.None;
                    break;
                case "--tun-csum":
                    checksum = TunnelChecksum.Checksum;
                    break;
                case "--tun-remcsum":
                    checksum = TunnelChecksum.RemoteChecksum;
                    break;
                default:
                    throw words.Error($"unknown destination option '{word}'");
            }
        }
        var key = spec.Key(words);
        if (server is null) throw words.Error("a destination needs -r ADDRESS[:PORT]");
        var (address, port) = ParseEndpoint(server, portRequired: false, words);
        port ??= key.Port;
        if (!key.IsFirewallMark && port != key.Port && forwarding is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel)
            throw words.Error($"destination {IpvsEndpoint.Format(address, port.Value)} uses {IpvsRulesPrinter.ForwardingWord(forwarding)}, which cannot " +
                $"change the port: use the service port {key.Port}");

        var type = TunnelType.Ipip;
        if (tunnelType is not null || tunnelPort != 0 || checksum is not null)
        {
            if (forwarding != ForwardingMethod.Tunnel) throw words.Error("tunnel options need -i (tunnel forwarding)");
            type = tunnelType switch
            {
                null or "ipip" => TunnelType.Ipip,
                "gue" => TunnelType.Gue,
                "gre" => TunnelType.Gre,
                _ => throw words.Error($"unknown tunnel type '{tunnelType}': use ipip, gue or gre"),
            };
            if (type == TunnelType.Gue && tunnelPort == 0) throw words.Error("a gue tunnel needs --tun-port");
            if (type != TunnelType.Gue && tunnelPort != 0) throw words.Error("--tun-port is for gue tunnels only");
            if (type == TunnelType.Ipip && checksum is not null) throw words.Error("ipip tunnels take no checksum option");
            if (type == TunnelType.Gre && checksum == TunnelChecksum.RemoteChecksum) throw words.Error("gre tunnels take no --tun-remcsum");
        }
        return (key, new IpvsDestination(address, port.Value, forwarding, weight, upper, lower, type, tunnelPort, checksum ?? TunnelChecksum.None));
    }

    private static int ParseNetmask(string text, bool ipv6, Words words)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            if (bits < (ipv6 ? 1 : 0) || bits > (ipv6 ? 128 : 32)) throw words.Error($"netmask /{bits} is out of range");
            return bits;
        }
        if (!ipv6 && IPAddress.TryParse(text, out var mask) && mask.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            mask.TryWriteBytes(b, out _);
            var value = BinaryPrimitives.ReadUInt32BigEndian(b);
            var ones = System.Numerics.BitOperations.LeadingZeroCount(~value);
            if (ones < 32 && value << ones != 0) throw words.Error($"netmask {text} is not contiguous");
            return ones;
        }
        throw words.Error($"'{text}' is not a netmask (IPv4: 255.255.255.0 or 24; IPv6: a prefix length)");
    }

    private static SchedulerFlags ParseSchedulerFlags(string text, Words words)
    {
        var flags = SchedulerFlags.None;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            flags |= SchedulerFlagNames.TryParse(name, out var flag) ? flag : throw words.Error($"unknown scheduler flag '{name}'");
        }
        return flags;
    }

    internal static (IPAddress Address, ushort? Port) ParseEndpoint(string text, bool portRequired, Words words)
    {
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) throw words.Error($"'{text}' lacks the closing ]");
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':')) throw words.Error($"'{text}' is not [ADDRESS]:PORT");
                port = rest[1..];
            }
        }
        else
        {
            var colon = text.IndexOf(':');
            if (colon >= 0 && text.IndexOf(':', colon + 1) >= 0)
                throw words.Error($"'{text}': write an IPv6 address in brackets, [ADDRESS]:PORT");
            host = colon >= 0 ? text[..colon] : text;
            port = colon >= 0 ? text[(colon + 1)..] : null;
        }
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw words.Error($"'{host}' is not an IP address (names are not looked up)");
        if (port is null)
        {
            if (portRequired) throw words.Error($"'{text}' needs a port");
            return (address, null);
        }
        return (address, (ushort)words.Number(port, 0, 65535, "port"));
    }

    /// <summary>The service part of a line: -t/-u/--sctp-service ADDRESS:PORT, or -f MARK with an optional -6.</summary>
    private sealed class ServiceSpec
    {
        private IpvsProtocol? _protocol;
        private string? _endpoint;
        private uint? _mark;
        private bool _ipv6;

        public bool TryRead(string word, Words words)
        {
            switch (word)
            {
                case "-t" or "--tcp-service":
                    return Set(IpvsProtocol.Tcp, words);
                case "-u" or "--udp-service":
                    return Set(IpvsProtocol.Udp, words);
                case "--sctp-service":
                    return Set(IpvsProtocol.Sctp, words);
                case "-f" or "--fwmark-service":
                    if (_protocol is not null || _mark is not null) throw words.Error("a line names one service only");
                    _mark = words.Number(words.Next("a firewall mark"), 1, uint.MaxValue, "firewall mark");
                    return true;
                case "-6" or "--ipv6":
                    _ipv6 = true;
                    return true;
                default:
                    return false;
            }
        }

        private bool Set(IpvsProtocol protocol, Words words)
        {
            if (_protocol is not null || _mark is not null) throw words.Error("a line names one service only");
            _protocol = protocol;
            _endpoint = words.Next("ADDRESS:PORT");
            return true;
        }

        public IpvsServiceKey Key(Words words)
        {
            if (_mark is { } mark)
                return IpvsServiceKey.ForFirewallMark(mark, _ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            if (_protocol is not { } protocol) throw words.Error("no service given: use -t, -u, --sctp-service or -f");
            var (address, port) = ParseEndpoint(_endpoint!, portRequired: true, words);
            if (_ipv6 && address.AddressFamily != AddressFamily.InterNetworkV6) throw words.Error("-6 is for firewall-mark services");
            return IpvsServiceKey.Of(protocol, address, port!.Value);
        }
    }

    /// <summary>The words of one line, with the line number for error messages.</summary>
    internal sealed class Words(string[] words, int line)
    {
        private int _next;

        public bool TryNext(out string word)
        {
            word = _next < words.Length ? words[_next++] : "";
            return word.Length > 0;
        }

        public string Next(string what) => _next < words.Length ? words[_next++] : throw Error($"{words[^1]} needs {what}");

        /// <summary>Takes the next word if it is a number, for options whose value is optional (-p).</summary>
        public bool TryNextNumber(out string number)
        {
            number = "";
            if (_next >= words.Length || !words[_next].All(char.IsAsciiDigit)) return false;
            number = words[_next++];
            return true;
        }

        public uint Number(string text, long min, long max, string what)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw Error($"{what} '{text}' must be a whole number from {min} to {max}");
            return (uint)value;
        }

        public IpvsRulesException Error(string message) => new(line, message);
    }
}

/// <summary>A rules file that cannot be read; the message names the line.</summary>
public sealed class IpvsRulesException(int line, string problem) : Exception($"line {line}: {problem}")
{
    public int Line { get; } = line;
}
