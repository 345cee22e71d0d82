using System.Net;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorVip.Node.Configuration;

/// <summary>
/// Health tracking of VIPs (issue 14 §1, docs/HEALTH.md): <c>health-checks</c> and <c>when-none-healthy</c>, node-wide
/// (actorvip) and per VIP (a vips object; its own replace the node-wide ones). A check's interval, timeout, rise, fall
/// and insecure-skip-verify default to lb.health's and are validated by the same rules (<see cref="ReadRhythm"/>).
/// </summary>
public static partial class SettingsReader
{
    /// <summary>The settings of one element of <c>health-checks</c>.</summary>
    public static readonly IReadOnlyList<string> HealthCheckKeys =
        ["type", "url", "host", "port", "command", "args", "expect-status", "ca-file", "insecure-skip-verify", "interval", "timeout", "rise", "fall"];

    private const string HealthCheckExample = "{ type = http, url = \"http://127.0.0.1:10256/healthz\" }";

    /// <summary>The node-wide health-checks and when-none-healthy (actorvip), the default of every VIP that gives none.</summary>
    private static VipHealthTracking ReadNodeHealthTracking(Config c) =>
        new(ReadHealthChecks(c, "health-checks", c), ReadWhenNoneHealthy(c, "when-none-healthy"));

    /// <summary>A vips object's own health-checks and when-none-healthy, each where given, else the node-wide one.</summary>
    private static VipHealthTracking ReadVipHealthTracking(Config v, string name, Config c, VipHealthTracking node) => new(
        v.HasPath("health-checks") ? ReadHealthChecks(v, $"{name}.health-checks", c) : node.Checks,
        v.HasPath("when-none-healthy") ? ReadWhenNoneHealthy(v, $"{name}.when-none-healthy") : node.Release);

    private static bool ReadWhenNoneHealthy(Config scope, string name)
    {
        var text = Guard(name, () => scope.GetString("when-none-healthy")).Trim();
        return text switch
        {
            "keep" => false,
            "release" => true,
            _ => throw new ConfigException($"{name}: '{text}' is not a choice (expected keep: the owner keeps the VIP when no node passes its " +
                "health checks, or release: nobody holds it then)"),
        };
    }

    private static List<VipHealthCheck> ReadHealthChecks(Config scope, string name, Config c)
    {
        if (!scope.HasPath("health-checks")) return [];
        var list = Guard(name, () => scope.GetValue("health-checks"));
        if (list.IsString() || list.IsObject()) throw new ConfigException($"{name}: not a list (expected {name} = [ {HealthCheckExample} ])");
        var items = Guard(name, () => list.GetArray());
        var checks = new List<VipHealthCheck>();
        for (var i = 0; i < items.Count; i++) checks.Add(ReadHealthCheck(items[i], $"{name}[{i}]", c));
        return checks;
    }

    /// <summary>The health checks of a VIP and whether it is released when no node passes them.</summary>
    private sealed record VipHealthTracking(IReadOnlyList<VipHealthCheck> Checks, bool Release);

    private static VipHealthCheck ReadHealthCheck(HoconValue item, string name, Config c)
    {
        if (!item.IsObject()) throw new ConfigException($"{name}: not a health check (expected an object such as {HealthCheckExample})");
        RejectUnknownKeys(item, name, HealthCheckKeys);
        var own = new Config(new HoconRoot(item));
        // Only the rhythm and insecure-skip-verify come from lb.health; the rest is the check's own.
        var h = own.WithFallback(c.GetConfig("lb.health"));
        string Text(string key) => own.HasPath(key) ? In(name, () => Str(own, key)).Trim() : "";

        var typeText = Text("type");
        var kind = typeText switch
        {
            "tcp" => HealthCheckKind.Tcp,
            "http" => HealthCheckKind.Http,
            "https" => HealthCheckKind.Https,
            "exec" => HealthCheckKind.Exec,
            _ => throw new ConfigException($"{name}.type: '{typeText}' is not a health check type (expected tcp, http, https or exec)"),
        };
        var (interval, timeout, rise, fall) = ReadRhythm(h, name);
        var insecure = In(name, () => Bool(h, "insecure-skip-verify"));
        var health = new HealthSettings(kind, "/", insecure, interval, timeout, rise, fall, HealthFailureAction.WeightZero, true, TimeSpan.Zero);
        foreach (var (key, allowed) in new[]
                 {
                     ("url", kind is HealthCheckKind.Http or HealthCheckKind.Https), ("host", kind == HealthCheckKind.Tcp),
                     ("port", kind == HealthCheckKind.Tcp), ("command", kind == HealthCheckKind.Exec), ("args", kind == HealthCheckKind.Exec),
                     ("expect-status", kind is HealthCheckKind.Http or HealthCheckKind.Https), ("ca-file", kind == HealthCheckKind.Https),
                 })
        {
            if (!allowed && item.GetObject().Items.ContainsKey(key))
                throw new ConfigException($"{name}.{key}: set on a {typeText} check, which does not use it (expected it removed, or another type)");
        }

        switch (kind)
        {
            case HealthCheckKind.Tcp:
                {
                    var hostText = Text("host");
                    var host = IPAddress.Loopback;
                    if (hostText.Length > 0 && !IPAddress.TryParse(hostText, out host))
                        throw new ConfigException($"{name}.host: '{hostText}' is not an IP address (expected e.g. 127.0.0.1 or ::1)");
                    var portText = Text("port");
                    if (portText.Length == 0) throw new ConfigException($"{name}.port: not set (expected 1 to 65535, the port a TCP connect must reach)");
                    if (!Endpoint.TryParsePort(portText, out var port))
                        throw new ConfigException($"{name}.port: '{portText}' is not a port (expected 1 to 65535, the port a TCP connect must reach)");
                    return new VipHealthCheck(health with { Port = port }, host!, "", []);
                }
            case HealthCheckKind.Http or HealthCheckKind.Https:
                {
                    var scheme = kind == HealthCheckKind.Https ? "https" : "http";
                    var url = Text("url");
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != scheme ||
                        uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6))
                    {
                        throw new ConfigException($"{name}.url: '{url}' is not an {scheme} URL with an IP address " +
                            $"(expected e.g. {scheme}://127.0.0.1:6443/readyz)");
                    }
                    var statusText = own.HasPath("expect-status") ? Text("expect-status") : "200-399";
                    if (!TryStatusRange(statusText, out var min, out var max))
                        throw new ConfigException($"{name}.expect-status: '{statusText}' is not an HTTP status or range (expected e.g. 200 or 200-399)");
                    var caFile = Text("ca-file");
                    if (caFile.Length > 0 && insecure)
                        throw new ConfigException($"{name}.ca-file: set with insecure-skip-verify = on, which checks no certificate (expected one of them)");
                    if (caFile.Length > 0 && !File.Exists(caFile))
                        throw new ConfigException($"{name}.ca-file: '{caFile}' is not a readable file (expected a PEM file of CA certificates)");
                    var settings = health with { Path = uri.PathAndQuery, Port = uri.Port, StatusMin = min, StatusMax = max };
                    return new VipHealthCheck(settings, IPAddress.Parse(uri.Host.Trim('[', ']')), "", [], caFile);
                }
            default:
                {
                    var command = Text("command");
                    if (!Path.IsPathFullyQualified(command))
                    {
                        throw new ConfigException($"{name}.command: '{command}' is not an absolute path to an executable " +
                            "(expected e.g. /usr/local/bin/check-apiserver; no shell: put arguments in args)");
                    }
                    var args = In(name, () => List(own, "args")).ToList();
                    return new VipHealthCheck(health, IPAddress.Loopback, command, args);
                }
        }
    }
}
