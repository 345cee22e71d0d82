using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;

namespace ActorVip.Node.Observability;

/// <summary>The metrics-address setting: HOST:PORT, or ":PORT" for every address (kube-vip's spelling).</summary>
public static class MetricsAddress
{
    /// <summary>Where the server listens; IPv6Any (dual-stack) for ":PORT".</summary>
    public static IPEndPoint ToListen(string setting)
    {
        if (setting.StartsWith(':')) return new IPEndPoint(IPAddress.IPv6Any, Port(setting[1..], setting));
        var endpoint = Parse(setting);
        return new IPEndPoint(Listening.Resolve(endpoint.Host, "metrics-address", setting), endpoint.Port);
    }

    /// <summary>Where `actorvip status` on this host asks, as HOST:PORT (<see cref="AskEndpoint"/>).</summary>
    public static string ToAsk(string setting) => AskEndpoint(setting).ToString();

    /// <summary>
    /// Where a client or prober on this host connects: loopback for ":PORT" and for a wildcard host (0.0.0.0, ::),
    /// the configured host otherwise.
    /// </summary>
    public static Endpoint AskEndpoint(string setting)
    {
        if (setting.StartsWith(':')) return new Endpoint("127.0.0.1", Port(setting[1..], setting));
        var endpoint = Parse(setting);
        // Any spelling of a wildcard (0.0.0.0, ::, 0:0::0) listens on every address, loopback included.
        if (!IPAddress.TryParse(endpoint.Host, out var host)) return endpoint;
        if (host.Equals(IPAddress.Any)) return endpoint with { Host = "127.0.0.1" };
        return host.Equals(IPAddress.IPv6Any) ? endpoint with { Host = "::1" } : endpoint;
    }

    /// <summary>Opens the listening socket; a port in use or a foreign address is one clear IOException line.</summary>
    public static TcpListener Listen(string setting) => Listening.Open(ToListen(setting), "metrics-address", setting);

    private static Endpoint Parse(string setting) =>
        Endpoint.TryParse(setting, out var endpoint, out var error) ? endpoint! : throw new ConfigException($"metrics-address: {error}");

    private static int Port(string text, string setting) =>
        Endpoint.TryParsePort(text, out var port) ? port : throw new ConfigException($"metrics-address: '{text}' in '{setting}' is not a " +
            "port (expected 1 to 65535)");
}
