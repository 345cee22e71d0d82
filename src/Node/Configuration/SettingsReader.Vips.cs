using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Ipvs;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorVip.Node.Configuration;

/// <summary>
/// The VIPs (<c>actorvip.addresses</c> and <c>actorvip.vips</c>) and their services, read into <see cref="VipConfig"/>
/// and <see cref="ServiceConfig"/> and validated here, in one place; the health checks of <c>actorvip.lb</c> and of
/// every service go through the same <see cref="ReadHealth"/>. A per-VIP setting is a key of <see cref="VipKeys"/>
/// read in <see cref="ReadVip"/>.
/// </summary>
public static partial class SettingsReader
{
    /// <summary>The settings of a VIP object in <c>actorvip.vips</c>.</summary>
    public static readonly IReadOnlyList<string> VipKeys =
        ["address", "services", "preferred-nodes", "preempt", "preempt-delay", "health-checks", "when-none-healthy", "interface"];

    /// <summary>The settings of a service object in a VIP's <c>services</c>.</summary>
    public static readonly IReadOnlyList<string> ServiceKeys =
    [
        "protocol", "port", "fwmark", "backend-port", "fwdmethod", "scheduler", "scheduler-flags", "persistence", "persistence-netmask",
        "one-packet", "backends", "member-backends", "health",
    ];

    /// <summary>A service's health section: actorvip.lb.health's settings except the node-wide keep-vip-when-none-healthy and move-vip-after.</summary>
    public static readonly IReadOnlyList<string> ServiceHealthKeys =
        ["kind", "path", "status", "insecure-skip-verify", "interval", "timeout", "rise", "fall", "on-failure", "port", "request", "expect"];

    private const int MaxPayload = 512;
    private const uint MaxPersistence = 86400 * 31;

    /// <summary>
    /// The entries of <c>addresses</c> (no services of their own) followed by the objects of <c>vips</c>; each address once
    /// in both, and each firewall mark once per address family (the kernel has one service per mark and family).
    /// </summary>
    private static List<VipConfig> ReadVips(Config c, LoadBalancerSettings lb)
    {
        var vips = new List<VipConfig>();
        var named = new Dictionary<IPAddress, string>();
        var health = ReadNodeHealthTracking(c);
        foreach (var text in List(c, "addresses"))
        {
            if (!VipAddress.TryParse(text.Trim(), out var vip, out var error)) throw new ConfigException($"address: {error}");
            if (named.ContainsKey(vip!.Address)) throw new ConfigException($"address: '{text}' is listed twice");
            named[vip.Address] = "addresses";
            vips.Add(new VipConfig(vip, [], health.Checks, health.Release));
        }

        if (!c.HasPath("vips")) return vips;
        var list = Guard("vips", () => c.GetValue("vips"));
        if (list.IsString() || list.IsObject())
            throw new ConfigException("vips: not a list (expected vips = [ { address = \"192.0.2.10\", services = [ ... ] } ])");
        var items = Guard("vips", () => list.GetArray());
        var marks = new Dictionary<(uint, AddressFamily), string>();
        for (var i = 0; i < items.Count; i++)
        {
            var name = $"vips[{i}]";
            var vip = ReadVip(items[i], name, c, lb, health);
            if (named.TryGetValue(vip.Address, out var first))
            {
                throw new ConfigException($"{name}.address: {vip.Address} is already a VIP in {first} (expected each VIP once; " +
                    "give all its services in one vips entry and leave it out of addresses)");
            }
            named[vip.Address] = name;
            for (var j = 0; j < vip.Services.Count; j++)
            {
                var service = vip.Services[j];
                if (!service.IsFirewallMark) continue;
                var family = vip.Address.AddressFamily;
                if (marks.TryGetValue((service.FirewallMark, family), out var other))
                {
                    throw new ConfigException($"{name}.services[{j}].fwmark: {service.FirewallMark} is already the fwmark of {other} " +
                        $"(expected each mark once per address family: the kernel keeps one service per mark; give the VIPs different marks)");
                }
                marks[(service.FirewallMark, family)] = $"{name}.services[{j}]";
            }
            vips.Add(vip);
        }
        return vips;
    }

    private static VipConfig ReadVip(HoconValue item, string name, Config c, LoadBalancerSettings lb, VipHealthTracking health)
    {
        if (!item.IsObject())
        {
            throw new ConfigException($"{name}: not a VIP (expected an object such as " +
                $"{{ address = \"192.0.2.10\", services = [ {{ protocol = tcp, port = 80 }} ] }})");
        }
        RejectUnknownKeys(item, name, VipKeys);
        var v = new Config(new HoconRoot(item));
        var text = In(name, () => Str(v, "address")).Trim();
        if (text.Length == 0) throw new ConfigException($"{name}.address: not set (expected the VIP, e.g. address = \"192.0.2.10\" or \"2001:db8::10/128\")");
        if (!VipAddress.TryParse(text, out var vip, out var error)) throw new ConfigException($"{name}.address: {error}");

        var services = new List<ServiceConfig>();
        if (v.HasPath("services"))
        {
            var list = v.GetValue("services");
            if (list.IsString() || list.IsObject())
            {
                throw new ConfigException($"{name}.services: not a list (expected services = " +
                    $"[ {{ protocol = tcp, port = 80 }}, {{ protocol = udp, port = 53 }} ])");
            }
            var items = In(name, () => Guard("services", () => list.GetArray()));
            for (var j = 0; j < items.Count; j++)
            {
                var serviceName = $"{name}.services[{j}]";
                var service = ReadService(items[j], serviceName, vip!, c, lb);
                if (services.FirstOrDefault(s => s.KeyFor(vip!.Address) == service.KeyFor(vip.Address)) is { } twin)
                {
                    throw new ConfigException($"{serviceName}: {service.Name} is declared twice for {vip!.Address} (expected each protocol and port once; " +
                        $"TCP and UDP on one port are two services: protocol = tcp and protocol = udp)");
                }
                services.Add(service);
            }
        }
        var tracking = ReadVipHealthTracking(v, name, c, health);
        return ReadPreference(v, name, new VipConfig(vip!, services, tracking.Checks, tracking.Release) { Interface = ReadVipInterface(v, name) });
    }

    /// <summary>
    /// The VIP's own interface (<c>interface</c>), by the node interface's rule; null when not given (the node's). Whether it
    /// exists on this host is checked at start (RunCommand, exit 1), as the node's is.
    /// </summary>
    private static string? ReadVipInterface(Config v, string name)
    {
        if (!v.HasPath("interface")) return null;
        var text = In(name, () => Str(v, "interface"));
        ValidateInterfaceName(text, $"{name}.interface");
        return text;
    }

    /// <summary>
    /// preferred-nodes, preempt and preempt-delay of one VIP. Whether each preferred node is a voter is checked once the
    /// seeds are known (<see cref="ValidatePreferredNodes"/>).
    /// </summary>
    private static VipConfig ReadPreference(Config v, string name, VipConfig vip)
    {
        var preferred = In(name, () => List(v, "preferred-nodes")).Select(text => ParseEndpoint($"{name}.preferred-nodes", text.Trim())).ToList();
        if (preferred.Select(p => p.ToString()).Distinct().Count() != preferred.Count)
            throw new ConfigException($"{name}.preferred-nodes: a node is listed twice (expected each voter at most once, most preferred first)");
        var preempt = v.HasPath("preempt") && In(name, () => Bool(v, "preempt"));
        var delay = v.HasPath("preempt-delay") ? In(name, () => Duration(v, "preempt-delay", min: TimeSpan.Zero)) : TimeSpan.Zero;
        if (preempt && preferred.Count == 0)
            throw new ConfigException($"{name}.preempt: on without preferred-nodes, so no node could take the VIP back (expected preferred-nodes = " +
                "[\"HOST:PORT\", ...] with it, or preempt = off)");
        if (delay > TimeSpan.Zero && !preempt)
            throw new ConfigException($"{name}.preempt-delay: {delay.TotalMilliseconds} ms is set while preempt = off, so it would never apply " +
                "(expected preempt = on with it, or no preempt-delay)");
        return vip with { PreferredNodes = preferred, Preempt = preempt, PreemptDelay = delay };
    }

    /// <summary>Each preferred node must be a voter (a seed, spelt as given; without seeds, this node): another node never gets a lease.</summary>
    private static void ValidatePreferredNodes(Config c, IReadOnlyList<VipConfig> vips, IReadOnlyList<Endpoint> voters)
    {
        // vips holds the entries of addresses (which have no preference) first, then the objects of vips.
        var addresses = List(c, "addresses").Count;
        for (var i = addresses; i < vips.Count; i++)
        {
            if (vips[i].PreferredNodes.FirstOrDefault(p => !voters.Any(v => v.ToString() == p.ToString())) is not { } stranger) continue;
            throw new ConfigException($"vips[{i - addresses}].preferred-nodes: {stranger} is not a voter (expected nodes from the seeds, spelt as given: " +
                $"{string.Join(", ", voters)})");
        }
    }


    private static ServiceConfig ReadService(HoconValue item, string name, VipAddress vip, Config c, LoadBalancerSettings lb)
    {
        if (!item.IsObject())
            throw new ConfigException($"{name}: not a service (expected an object such as {{ protocol = udp, port = 53, backends = [\"198.51.100.11\"] }})");
        RejectUnknownKeys(item, name, ServiceKeys);
        if (item.GetObject().Items.TryGetValue("health", out var healthItem))
        {
            if (!healthItem.IsObject()) throw new ConfigException($"{name}.health: not a section (expected health {{ kind = tcp, interval = 1s }})");
            RejectUnknownKeys(healthItem, $"{name}.health", ServiceHealthKeys);
        }
        var s = new Config(new HoconRoot(item));
        string Text(string key) => In(name, () => Str(s, key)).Trim();

        var protocolText = s.HasPath("protocol") ? Text("protocol") : "tcp";
        var protocol = protocolText.ToLowerInvariant() switch
        {
            "tcp" => IpvsProtocol.Tcp,
            "udp" => IpvsProtocol.Udp,
            "sctp" => IpvsProtocol.Sctp,
            _ => throw new ConfigException($"{name}.protocol: '{protocolText}' is not a protocol (expected tcp, udp or sctp)"),
        };

        var hasPort = s.HasPath("port");
        var hasMark = s.HasPath("fwmark");
        if (hasPort && hasMark)
        {
            throw new ConfigException($"{name}: port {Text("port")} and fwmark {Text("fwmark")} are both set (expected one of them: port selects " +
                "packets by protocol and port, fwmark by the firewall mark your own rule sets; remove one)");
        }
        if (!hasPort && !hasMark)
            throw new ConfigException($"{name}.port: not set (expected the VIP port, 1 to 65535, e.g. port = 53; or fwmark = MARK instead)");
        var port = 0;
        uint mark = 0;
        if (hasPort)
        {
            var text = Text("port");
            if (!Endpoint.TryParsePort(text, out port)) throw new ConfigException($"{name}.port: '{text}' is not a port (expected 1 to 65535)");
        }
        else
        {
            var text = Text("fwmark");
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mark) || mark == 0)
                throw new ConfigException($"{name}.fwmark: '{text}' is not a firewall mark (expected 1 to 4294967295)");
        }
        if (protocol != IpvsProtocol.Tcp && hasMark)
        {
            throw new ConfigException($"{name}.protocol: {protocolText} is set on a fwmark service, which matches packets of any protocol by their mark " +
                "(expected no protocol with fwmark; mark only the protocol you mean in your own rule)");
        }

        var backendPort = 0;
        if (s.HasPath("backend-port"))
        {
            var text = Text("backend-port");
            if (text != "0" && !Endpoint.TryParsePort(text, out backendPort))
            {
                throw new ConfigException($"{name}.backend-port: '{text}' is not a port (expected 1 to 65535, or 0 for " +
                    $"{(hasMark ? "the port each packet has" : "the same as port")})");
            }
        }
        var effectiveBackendPort = backendPort == 0 ? port : backendPort;

        var method = lb.Method;
        if (s.HasPath("fwdmethod"))
        {
            var text = Text("fwdmethod");
            if (!ForwardingMethods.TryParse(text, out method))
            {
                throw new ConfigException($"{name}.fwdmethod: '{text}' is not a forwarding method " +
                    $"(expected one of {string.Join(", ", ForwardingMethods.Names)})");
            }
        }
        ValidatePorts(name, method, port, effectiveBackendPort);

        var scheduler = s.HasPath("scheduler") ? Text("scheduler") : lb.Scheduler;
        ValidateScheduler($"{name}.scheduler", scheduler);
        var flags = SchedulerFlags.None;
        foreach (var flag in In(name, () => List(s, "scheduler-flags")))
        {
            if (!SchedulerFlagNames.TryParse(flag.Trim(), out var bit))
                throw new ConfigException($"{name}.scheduler-flags: '{flag}' is not a scheduler flag (expected {string.Join(", ", SchedulerFlagNames.All)})");
            flags |= bit;
        }

        uint persistence = 0;
        if (s.HasPath("persistence"))
        {
            var value = In(name, () => Duration(s, "persistence", min: TimeSpan.Zero));
            if (value.Ticks % TimeSpan.TicksPerSecond != 0 || value.TotalSeconds > MaxPersistence)
                throw new ConfigException($"{name}.persistence: '{Text("persistence")}' is not whole seconds up to 31 days (expected e.g. 300s; 0s is off)");
            persistence = (uint)value.TotalSeconds;
        }
        byte? netmask = null;
        if (s.HasPath("persistence-netmask"))
        {
            var bits = In(name, () => Int(s, "persistence-netmask"));
            if (bits < 1 || bits > vip.MaxPrefixLength)
            {
                throw new ConfigException($"{name}.persistence-netmask: '{bits}' is not a prefix length for {vip.Address} " +
                    $"(expected 1 to {vip.MaxPrefixLength})");
            }
            if (persistence == 0)
                throw new ConfigException($"{name}.persistence-netmask: set without persistence (expected persistence = 300s or so with it, or no netmask)");
            netmask = IpvsServiceSettings.Netmask(bits, vip.IsIPv6);
        }
        var onePacket = s.HasPath("one-packet") && In(name, () => Bool(s, "one-packet"));
        if (onePacket && protocol != IpvsProtocol.Udp)
        {
            throw new ConfigException($"{name}.one-packet: on for a {ServiceConfig.ProtocolName(protocol)} service " +
                "(expected off: one-packet scheduling applies to UDP only)");
        }

        var backends = In(name, () => List(s, "backends")).Select(text => ParseBackend($"{name}.backends", text.Trim(), effectiveBackendPort, vip)).ToList();
        var memberBackends = s.HasPath("member-backends") && In(name, () => Bool(s, "member-backends"));

        var lbHealth = c.GetConfig("lb.health");
        var healthConfig = s.HasPath("health") ? s.GetConfig("health").WithFallback(lbHealth) : lbHealth;
        // Unless given: a TCP service checks as actorvip.lb does; a TCP connect to a UDP or SCTP port would fail every backend.
        HealthCheckKind? kind = s.HasPath("health.kind") ? null : protocol switch
        {
            IpvsProtocol.Udp => HealthCheckKind.Udp,
            IpvsProtocol.Sctp => HealthCheckKind.None,
            _ => null,
        };
        var health = ReadHealth(healthConfig, $"{name}.health", kind);
        if (health.Kind == HealthCheckKind.Udp && protocol != IpvsProtocol.Udp)
        {
            throw new ConfigException($"{name}.health.kind: udp checks a UDP service, and this one is {ServiceConfig.ProtocolName(protocol)} " +
                "(expected tcp, http, https or none)");
        }
        var portless = backends.Any(b => b.Port == 0) || (memberBackends && effectiveBackendPort == 0);
        if (health.Kind != HealthCheckKind.None && health.Port == 0 && portless)
        {
            throw new ConfigException($"{name}.health.port: not set, and the fwmark service's backends have no port to check " +
                "(expected health.port = PORT, a port given with each backend, or health.kind = none)");
        }
        return new ServiceConfig(protocol, port, mark, effectiveBackendPort, method, scheduler, backends, memberBackends, health,
            flags, persistence, netmask, onePacket);
    }

    /// <summary>Directroute, tunnel and local deliver the packet as the client sent it, so the backends cannot have another port.</summary>
    private static void ValidatePorts(string name, ForwardingMethod method, int port, int backendPort)
    {
        if (port == 0)
        {
            if (backendPort != 0 && method is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel or ForwardingMethod.Local)
            {
                throw new ConfigException($"{name}.backend-port: {backendPort} is set, but {method.Name()} cannot change the port of a packet " +
                    "(expected no backend-port on this fwmark service, or masquerade)");
            }
            return;
        }
        if (method is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel && backendPort != port)
        {
            throw new ConfigException($"{name}.backend-port: {backendPort} differs from {name}.port {port}, but {method.Name()} cannot change the port " +
                "(the backends receive the packet as sent to the VIP); use the same port or masquerade");
        }
        if (method == ForwardingMethod.Local && backendPort != port)
        {
            throw new ConfigException($"{name}.backend-port: {backendPort} differs from {name}.port {port}, but local forwarding delivers the packet " +
                "unchanged to this node (the server must listen on the VIP port); use the same port or masquerade");
        }
    }

    private static void ValidateScheduler(string name, string scheduler)
    {
        if (scheduler.Length is 0 or > 15 || !scheduler.All(char.IsAsciiLetterLower))
            throw new ConfigException($"{name}: '{scheduler}' is not an IPVS scheduler name (expected e.g. rr, wrr, lc, wlc, sh, mh)");
    }

    /// <summary>HOST:PORT, [V6]:PORT, or an address or host name alone, which takes the service's backend port.</summary>
    private static Endpoint ParseBackend(string name, string text, int backendPort, VipAddress vip)
    {
        Endpoint endpoint;
        if (!text.StartsWith('[') && IPAddress.TryParse(text, out var bare) && (text.Contains(':') || text.Count(ch => ch == '.') == 3))
            endpoint = new Endpoint(bare.ToString(), backendPort);
        else if (!text.Contains(':') && Endpoint.TryParse($"{text}:1", out var named, out _))
            endpoint = new Endpoint(named!.Host, backendPort);
        else if (Endpoint.TryParse(text, out var given, out var error))
            endpoint = given!;
        else
            throw new ConfigException($"{name}: {error}");
        if (IPAddress.TryParse(endpoint.Host, out var address) && address.AddressFamily != vip.Address.AddressFamily)
        {
            throw new ConfigException($"{name}: {endpoint} is IPv{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4)} but the VIP {vip.Address} " +
                $"is IPv{(vip.IsIPv6 ? 6 : 4)} (expected backends of the VIP's family: IPVS forwards within one family)");
        }
        return endpoint;
    }

    /// <summary>
    /// actorvip.lb.health, or a service's health section over it: the same settings, the same rules. <paramref name="kind"/>
    /// replaces the configured kind (a service's protocol picks it when the service does not).
    /// </summary>
    private static HealthSettings ReadHealth(Config h, string name, HealthCheckKind? kind = null)
    {
        if (kind is null)
        {
            var kindText = In(name, () => Str(h, "kind"));
            kind = kindText switch
            {
                "tcp" => HealthCheckKind.Tcp,
                "http" => HealthCheckKind.Http,
                "https" => HealthCheckKind.Https,
                "udp" => HealthCheckKind.Udp,
                "none" => HealthCheckKind.None,
                _ => throw new ConfigException($"{name}.kind: '{kindText}' is not a health check (expected tcp, http, https, udp or none)"),
            };
        }
        var path = In(name, () => Str(h, "path"));
        if (!path.StartsWith('/') || path.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch)))
            throw new ConfigException($"{name}.path: '{path}' is not an HTTP path (expected e.g. /readyz)");
        var statusText = In(name, () => Str(h, "status")).Trim();
        if (!TryStatusRange(statusText, out var statusMin, out var statusMax))
            throw new ConfigException($"{name}.status: '{statusText}' is not an HTTP status or range (expected e.g. 200 or 200-399, within 100 to 599)");
        var (interval, timeout, rise, fall) = ReadRhythm(h, name);
        var actionText = In(name, () => Str(h, "on-failure"));
        var action = actionText switch
        {
            "weight-zero" => HealthFailureAction.WeightZero,
            "remove" => HealthFailureAction.Remove,
            _ => throw new ConfigException($"{name}.on-failure: '{actionText}' is not an action (expected weight-zero or remove)"),
        };
        var portText = In(name, () => Str(h, "port")).Trim();
        var port = 0;
        if (portText != "0" && !Endpoint.TryParsePort(portText, out port))
            throw new ConfigException($"{name}.port: '{portText}' is not a port (expected 1 to 65535, or 0 for each backend's own port)");
        var request = In(name, () => Str(h, "request"));
        var expect = In(name, () => Str(h, "expect"));
        foreach (var (key, value) in new[] { ("request", request), ("expect", expect) })
        {
            if (!HealthPayload.TryDecode(value, out var bytes) || bytes.Length > MaxPayload)
            {
                throw new ConfigException($"{name}.{key}: '{value}' is not a payload of at most {MaxPayload} bytes " +
                    "(expected text, or hex: followed by hex digits, e.g. hex:0001)");
            }
        }
        var moveAfter = In(name, () => Duration(h, "move-vip-after", min: TimeSpan.Zero));
        return new HealthSettings(kind.Value, path, In(name, () => Bool(h, "insecure-skip-verify")), interval, timeout, rise, fall, action,
            In(name, () => Bool(h, "keep-vip-when-none-healthy")), moveAfter, port, statusMin, statusMax, request, expect);
    }

    /// <summary>interval, timeout, rise and fall of a check: a backend's (health) or a VIP's (health-checks), by the same rules.</summary>
    private static (TimeSpan Interval, TimeSpan Timeout, int Rise, int Fall) ReadRhythm(Config h, string name)
    {
        var interval = In(name, () => Duration(h, "interval", min: TimeSpan.FromMilliseconds(50)));
        var timeout = In(name, () => Duration(h, "timeout", min: TimeSpan.FromMilliseconds(10)));
        if (timeout > interval)
        {
            throw new ConfigException($"{name}.timeout: {timeout.TotalMilliseconds} ms is longer than {name}.interval ({interval.TotalMilliseconds} ms); " +
                "checks would overlap");
        }
        var rise = In(name, () => Int(h, "rise"));
        if (rise is < 1 or > 100) throw new ConfigException($"{name}.rise: '{rise}' is not a count of successes (expected 1 to 100)");
        var fall = In(name, () => Int(h, "fall"));
        if (fall is < 1 or > 100) throw new ConfigException($"{name}.fall: '{fall}' is not a count of failures (expected 1 to 100)");
        return (interval, timeout, rise, fall);
    }

    private static bool TryStatusRange(string text, out int min, out int max)
    {
        min = max = 0;
        var parts = text.Split('-');
        if (parts.Length is 0 or > 2) return false;
        if (!int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out min)) return false;
        max = min;
        if (parts.Length == 2 && !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out max)) return false;
        return min is >= 100 and <= 599 && max is >= 100 and <= 599 && min <= max;
    }

    /// <summary>A misspelt key in a VIP or service object would otherwise be ignored silently.</summary>
    private static void RejectUnknownKeys(HoconValue item, string name, IReadOnlyList<string> known)
    {
        foreach (var key in item.GetObject().Items.Keys)
        {
            if (!known.Contains(key))
                throw new ConfigException($"{name}.{key}: unknown setting (expected one of {string.Join(", ", known)}; see hocon/reference.conf)");
        }
    }

    /// <summary>Reads within an object of a list: the message of a problem names its place (vips[0].services[1].port: ...).</summary>
    private static T In<T>(string scope, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{scope}.{e.Message}");
        }
    }
}
