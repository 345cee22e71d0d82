using ActorVip.Ownership;
using Akka.Configuration;

namespace ActorVip.Node.Configuration;

/// <summary>
/// Reads and validates the actorvip section. The first problem becomes a ConfigException whose
/// message names the setting, the bad value and what is expected; nothing has touched the kernel yet.
/// </summary>
public static partial class SettingsReader
{
    public static NodeSettings Read(Config config)
    {
        var c = config.GetConfig("actorvip") ?? throw new ConfigException("the configuration has no actorvip section");
        RejectUnknownSettings(c);

        var iface = Str(c, "interface");
        if (iface.Length > 0) ValidateInterfaceName(iface);

        var lb = ReadLoadBalancer(c);
        var vips = ReadVips(c, lb);
        // A VIP with an interface of its own needs none of the node's.
        if (vips.Any(v => v.Interface is null) && iface.Length == 0)
            throw new ConfigException("interface: not set (expected the name of the interface that carries the VIPs, e.g. --interface eth0)");

        var nodeAddress = ParseEndpoint("node-address", Str(c, "node-address"));
        var seeds = List(c, "seeds").Select(s => ParseEndpoint("seed", s.Trim())).ToList();
        var nodes = Int(c, "nodes");
        if (nodes is < 1 or > LeaseSettings.MaxVoters)
            throw new ConfigException($"nodes: '{nodes}' is not a valid number of voting nodes (expected 1 to {LeaseSettings.MaxVoters}, usually 3 or 5)");
        if (nodes > 1 && seeds.Count == 0)
            throw new ConfigException($"seed: none given for a cluster of {nodes} nodes (expected the same ordered --seed HOST:PORT list on every node)");
        // The seeds are the voters: a lease majority must count known nodes, never whoever happens to be up.
        if (seeds.Count > 0 && seeds.Count != nodes)
            throw new ConfigException($"seed: {seeds.Count} given for --nodes {nodes} (expected every voting node as a seed, {nodes} in all, in the " +
                "same order on every node)");
        if (seeds.Select(s => s.ToString()).Distinct().Count() != seeds.Count)
            throw new ConfigException("seed: a seed is listed twice (expected each voting node once)");
        // Akka names a node by its address as spelt: a node whose node-address is not a seed, letter for letter, is no
        // voter, and its own renewals would never count.
        if (seeds.Count > 0 && !seeds.Any(s => s.ToString() == nodeAddress.ToString()))
        {
            throw new ConfigException($"seed: node-address {nodeAddress} is not one of the seeds ({string.Join(", ", seeds)}); every voting node is a seed, " +
                "spelt exactly as its node-address (not localhost for 127.0.0.1, not a name for an address)");
        }
        ValidatePreferredNodes(c, vips, seeds.Count > 0 ? seeds : [nodeAddress]);
        if (vips.FirstOrDefault(v =>
                v.Address.ToString() == nodeAddress.Host
                || (System.Net.IPAddress.TryParse(nodeAddress.Host, out var host) && v.Address.Equals(host))) is { } own)
            throw new ConfigException($"address: {own.Address} is this node's own address (node-address {nodeAddress}); a VIP must be an address " +
                "that no host has as its own");

        var systemName = Str(c, "system-name");
        if (systemName.Length == 0 || !systemName.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            throw new ConfigException($"system-name: '{systemName}' is not valid (expected letters, digits, '-' or '_')");

        var pace = Int(c, "announce.max-per-second");
        if (pace is < 0 or > 100_000)
            throw new ConfigException($"announce.max-per-second: {pace} is out of range (0 for unpaced, or 1 to 100000 announcements a second)");
        var announce = new AnnounceSettings(
            Duration(c, "announce.repeat-after", min: TimeSpan.Zero), Duration(c, "announce.refresh-interval", min: TimeSpan.Zero), pace);

        var lifetime = Duration(c, "address.valid-lifetime", min: TimeSpan.Zero);
        if (lifetime != TimeSpan.Zero && (lifetime.Ticks % TimeSpan.TicksPerSecond != 0 || lifetime < TimeSpan.FromSeconds(2)))
            throw new ConfigException($"address.valid-lifetime: '{lifetime.TotalMilliseconds} ms' is not whole seconds of at least 2 s (the kernel counts " +
                "whole seconds); 0s means forever");
        var check = Duration(c, "address.check-interval", min: TimeSpan.FromMilliseconds(50));
        if (lifetime != TimeSpan.Zero && check * 2 >= lifetime)
            throw new ConfigException($"address.check-interval: {check.TotalMilliseconds} ms must be under half of address.valid-lifetime " +
                $"({lifetime.TotalSeconds} s), or the address would lapse between refreshes");
        var address = new AddressSettings(lifetime == TimeSpan.Zero ? null : lifetime, check);

        var leaseTime = Duration(c, "lease.lease-time", min: TimeSpan.Zero);
        var renewInterval = Duration(c, "lease.renew-interval", min: TimeSpan.Zero);
        var margin = Duration(c, "lease.margin", min: TimeSpan.Zero);
        // LeaseSettings holds the one set of rules for the lease; its sentence names the setting.
        if (LeaseSettings.Validate(nodes, leaseTime, renewInterval, margin) is { } leaseError) throw new ConfigException(leaseError);
        var lease = new LeaseSettings(nodes, leaseTime, renewInterval, margin);

        // Validated here, read by the ActorLoopScheduler from the same configuration when the actor system starts.
        Duration(c, "actor-loop.startup-grace", min: TimeSpan.Zero);

        var fence = new FenceSettings(Bool(c, "fence.enabled"), Str(c, "fence.table"));
        if (fence.Table.Length is 0 or > 255 || !fence.Table.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            throw new ConfigException($"fence.table: '{fence.Table}' is not a valid nftables table name (expected letters, digits, '-' or '_')");
        // The fence's table is deleted as a whole at stop and by cleanup: a name that could be someone else's (filter,
        // nat) would delete their firewall. ActorVip's names begin with actorvip, and it marks the tables it makes.
        if (!fence.Table.StartsWith(KernelFenceNames.Prefix, StringComparison.Ordinal) || fence.Table == KernelFenceNames.NatTable)
            throw new ConfigException($"fence.table: '{fence.Table}' is not a name ActorVip may own (expected a name that begins with " +
                $"{KernelFenceNames.Prefix} and is not {KernelFenceNames.NatTable}, e.g. actorvip or actorvip-2)");

        var metrics = Str(c, "metrics-address");
        // kube-vip's ":2112" means every address.
        if (!Endpoint.TryParse(metrics.StartsWith(':') ? "0.0.0.0" + metrics : metrics, out _, out var metricsError))
            throw new ConfigException($"metrics-address: {metricsError}");
        var logFormat = Str(c, "log-format");
        if (logFormat is not ("logfmt" or "json"))
            throw new ConfigException($"log-format: '{logFormat}' is not a log format (expected logfmt or json)");
        return new NodeSettings(iface, vips, nodeAddress, seeds, systemName, announce, address, lease, fence, lb, metrics, ReadTls(c))
        {
            Notify = ReadNotify(c),
        };
    }

    /// <summary>
    /// actorvip.notify: an absolute path to an executable (run without a shell, so no arguments or pipes in it), and a
    /// timeout. Whether the file exists and may be executed is checked here, once, at start.
    /// </summary>
    private static Notify.NotifySettings ReadNotify(Config c)
    {
        var command = Str(c, "notify.command").Trim();
        var timeout = Duration(c, "notify.timeout", min: TimeSpan.FromMilliseconds(100));
        if (timeout > TimeSpan.FromMinutes(10))
            throw new ConfigException($"notify.timeout: {timeout.TotalSeconds} s is longer than 10 minutes (expected a few seconds: a hook must not " +
                "take long)");
        if (command.Length == 0) return new Notify.NotifySettings("", timeout);
        if (!Path.IsPathFullyQualified(command))
            throw new ConfigException($"notify.command: '{command}' is not an absolute path (expected the executable's full path, e.g. " +
                "/usr/local/bin/vip-notify; it runs without a shell, so no arguments: read ACTORVIP_EVENT and the other variables)");
        if (!File.Exists(command))
            throw new ConfigException($"notify.command: '{command}' does not exist or is not a file (expected an executable file; or notify.command = \"\")");
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(command) & anyExecute) == 0)
            throw new ConfigException($"notify.command: '{command}' is not executable (expected chmod +x {command})");
        return new Notify.NotifySettings(command, timeout);
    }

    /// <summary>Only the shape here; ClusterCertificates.Load reads the files and checks the chain before anything starts.</summary>
    private static TlsSettings ReadTls(Config c)
    {
        var tls = new TlsSettings(Bool(c, "tls.enabled"), Str(c, "tls.certificate"), Str(c, "tls.key"), Str(c, "tls.password"), Str(c, "tls.ca"));
        if (!tls.Enabled)
        {
            // A key or CA without the certificate that turns TLS on would leave the transport in plain text unnoticed.
            foreach (var (name, value) in new[] { ("key", tls.Key), ("ca", tls.Ca), ("password", tls.Password), ("certificate", tls.Certificate) })
            {
                if (value.Length > 0)
                    throw new ConfigException($"tls.{name}: set while tls.enabled = off, so the transport would be plain TCP (give --tls-certificate too, or " +
                        "set tls.enabled = on; see docs/SECURITY.md)");
            }
            return tls;
        }
        if (tls.Certificate.Length == 0)
            throw new ConfigException("tls.certificate: not set while tls.enabled = on (expected the node's certificate, a PEM or PFX " +
                "file; see docs/SECURITY.md)");
        if (tls.Ca.Length == 0)
            throw new ConfigException("tls.ca: not set while tls.enabled = on (expected the cluster CA's certificate, a PEM file, that every node's " +
                "certificate is signed by)");
        return tls;
    }

    private static LoadBalancerSettings ReadLoadBalancer(Config c)
    {
        var port = Port(c, "lb.port", allowZero: false);
        var backendPort = Port(c, "lb.backend-port", allowZero: true);
        var methodText = Str(c, "lb.fwdmethod");
        if (!ForwardingMethods.TryParse(methodText, out var method))
            throw new ConfigException($"lb.fwdmethod: '{methodText}' is not a forwarding method (expected one of " +
                $"{string.Join(", ", ForwardingMethods.Names)})");
        var scheduler = Str(c, "lb.scheduler");
        ValidateScheduler("lb.scheduler", scheduler);
        var backends = List(c, "lb.backends").Select(s => ParseEndpoint("backend", s.Trim())).ToList();
        var effectiveBackendPort = backendPort == 0 ? port : backendPort;
        ValidatePorts("lb", method, port, effectiveBackendPort);
        var health = ReadHealth(c.GetConfig("lb.health"), "lb.health");
        if (health.Kind == HealthCheckKind.Udp)
            throw new ConfigException("lb.health.kind: udp checks a UDP service, and actorvip.lb balances TCP (expected tcp, http, https or none)");
        if (!health.KeepVipWhenNoneHealthy && health.Kind == HealthCheckKind.None)
        {
            throw new ConfigException("lb.health.keep-vip-when-none-healthy: off, but lb.health.kind = none checks nothing, so no node could see a healthy " +
                "backend (expected on, or a health check kind)");
        }
        return new LoadBalancerSettings(Bool(c, "lb.enabled"), port, effectiveBackendPort, method, scheduler, backends, Bool(c, "lb.member-backends"), health);
    }

    /// <summary>A misspelt key would otherwise be ignored silently and its default used.</summary>
    private static void RejectUnknownSettings(Config actorvip)
    {
        var known = ConfigSources.Reference().GetConfig("actorvip");
        foreach (var path in LeafPaths(actorvip.Root, ""))
        {
            if (!known.HasPath(path)) throw new ConfigException($"actorvip.{path}: unknown setting (see hocon/reference.conf for every setting)");
        }
    }

    internal static IEnumerable<string> LeafPaths(Akka.Configuration.Hocon.HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            foreach (var leaf in LeafPaths(child, path)) yield return leaf;
        }
    }

    /// <summary>
    /// The kernel's dev_valid_name: 1 to 15 bytes, not "." or "..", no '/', ':' or white space. <paramref name="setting"/> names
    /// where it was given: the node's <c>interface</c> or a VIP's (<c>vips[0].interface</c>).
    /// </summary>
    public static void ValidateInterfaceName(string name, string setting = "interface")
    {
        if (name.Length is 0 or > 15 || name is "." or ".." || name.Any(ch => ch is '/' or ':' || char.IsWhiteSpace(ch) || ch > 126 || char.IsControl(ch)))
            throw new ConfigException($"{setting}: '{name}' is not a valid interface name (expected 1 to 15 characters without '/', ':' or spaces, e.g. eth0)");
    }

    private static Endpoint ParseEndpoint(string setting, string text) =>
        Endpoint.TryParse(text, out var endpoint, out var error) ? endpoint! : throw new ConfigException($"{setting}: {error}");

    private static int Port(Config c, string path, bool allowZero)
    {
        var text = Str(c, path);
        if (allowZero && text == "0") return 0;
        return Endpoint.TryParsePort(text, out var port) ? port : throw new ConfigException($"{path}: '{text}' is not a port (expected 1 to " +
            $"65535{(allowZero ? ", or 0 for the same as lb.port" : "")})");
    }

    private static string Str(Config c, string path) => Guard(path, () =>
    {
        if (c.HasPath(path) && c.GetValue(path) is { } value && !value.IsString())
            throw new ConfigException($"{path}: a {(value.IsObject() ? "section" : "list")} where one value is expected (e.g. {path.Split('.')[^1]} = VALUE)");
        return c.GetString(path, "") ?? "";
    });

    private static IList<string> List(Config c, string path) => Guard(path, () =>
    {
        if (!c.HasPath(path)) return new List<string>();
        var value = c.GetValue(path);
        if (value.IsString() || value.IsObject())
            throw new ConfigException($"{path}: one value where a list is expected (write {path.Split('.')[^1]} = [\"...\", \"...\"])");
        var items = new List<string>();
        foreach (var item in value.GetArray())
        {
            if (!item.IsString())
                throw new ConfigException($"{path}: element {items.Count + 1} is a {(item.IsArray() ? "list" : "section")} (expected a list of " +
                    "values, e.g. [\"...\", \"...\"])");
            items.Add(item.GetString());
        }
        return items;
    });

    private static int Int(Config c, string path)
    {
        var text = Str(c, path);
        return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException($"{path}: '{text}' is not a whole number");
    }

    private static bool Bool(Config c, string path)
    {
        var text = Str(c, path).ToLowerInvariant();
        return text switch
        {
            "on" or "true" or "yes" or "1" => true,
            "off" or "false" or "no" or "0" => false,
            _ => throw new ConfigException($"{path}: '{text}' is not on/off (expected on, off, true or false)"),
        };
    }

    private static TimeSpan Duration(Config c, string path, TimeSpan min)
    {
        var text = Str(c, path);
        if (!TryDuration(text, out var value))
        {
            throw new ConfigException(text.TrimStart().StartsWith('-')
                ? $"{path}: '{text}' is negative (expected a duration of at least {min.TotalMilliseconds} ms, e.g. 600ms or 2s)"
                : $"{path}: '{text}' is not a duration (expected e.g. 600ms or 2s)");
        }
        if (value < min) throw new ConfigException($"{path}: '{text}' is too short (expected at least {min.TotalMilliseconds} ms)");
        return value;
    }

    private static readonly (string[] Units, double Ms)[] DurationUnits =
    [
        (["ns", "nanos", "nanosecond", "nanoseconds"], 1e-6),
        (["us", "micros", "microsecond", "microseconds"], 1e-3),
        (["", "ms", "millis", "millisecond", "milliseconds"], 1),
        (["s", "second", "seconds"], 1000),
        (["m", "minute", "minutes"], 60_000),
        (["h", "hour", "hours"], 3_600_000),
        (["d", "day", "days"], 86_400_000),
    ];

    /// <summary>
    /// A non-negative HOCON duration ("700ms", "2 s", "1.5s"; a bare number is milliseconds, as Akka reads it) of at
    /// most a year; false for anything else, a negative one included.
    /// </summary>
    public static bool TryDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var t = text.Trim();
        var split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.')) split++;
        if (split == 0
            || !double.TryParse(
                t[..split], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return false;
        var unit = t[split..].Trim();
        foreach (var (units, ms) in DurationUnits)
        {
            if (!units.Contains(unit)) continue;
            var total = number * ms;
            if (total > TimeSpan.FromDays(366).TotalMilliseconds) return false;
            value = TimeSpan.FromTicks((long)Math.Round(total * TimeSpan.TicksPerMillisecond));
            return true;
        }
        return false;
    }

    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ConfigException($"{path}: {ConfigSources.FirstLine(e.Message)}");
        }
    }
}
