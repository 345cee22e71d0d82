using System.Net;
using System.Net.Sockets;
using ActorVip.Messages.Configuration;

namespace ActorVip.Node.Observability;

/// <summary>The metrics-address setting: HOST:PORT, or ":PORT" for every address (kube-vip's spelling).</summary>
public static class MetricsAddress
{
    /// <summary>Where the server listens; IPv6Any (dual-stack) for ":PORT".</summary>
    public static IPEndPoint ToListen(string setting)
    {
        if (setting.StartsWith(':')) return new IPEndPoint(IPAddress.IPv6Any, Port(setting[1..], setting));
        var endpoint = Parse(setting);
        return new IPEndPoint(Resolve(endpoint.Host, setting), endpoint.Port);
    }

    /// <summary>Where a client (actorvip status) on this host asks: loopback for ":PORT".</summary>
    public static string ToAsk(string setting) => setting.StartsWith(':') ? $"127.0.0.1{setting}" : Parse(setting).ToString();

    /// <summary>Opens the listening socket; a port in use or a foreign address is one clear IOException line.</summary>
    public static TcpListener Listen(string setting)
    {
        var at = ToListen(setting);
        var listener = new TcpListener(at);
        if (at.Address.Equals(IPAddress.IPv6Any)) listener.Server.DualMode = true;
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException e)
        {
            listener.Server.Dispose();
            throw new IOException(e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"metrics-address {setting}: the port is already in use (another actorvip run on this host?); choose another with --metrics-address or actorvip.metrics-address",
                SocketError.AddressNotAvailable => $"metrics-address {setting}: no interface of this host has that address; use one of its addresses, 127.0.0.1 or :PORT",
                SocketError.AccessDenied => $"metrics-address {setting}: not allowed to listen on that port (below 1024 needs CAP_NET_BIND_SERVICE)",
                _ => $"metrics-address {setting}: cannot listen there ({e.Message})",
            }, e);
        }
    }

    private static Endpoint Parse(string setting) =>
        Endpoint.TryParse(setting, out var endpoint, out var error) ? endpoint! : throw new ConfigException($"metrics-address: {error}");

    private static int Port(string text, string setting) =>
        Endpoint.TryParsePort(text, out var port) ? port : throw new ConfigException($"metrics-address: '{text}' in '{setting}' is not a port (expected 1 to 65535)");

    private static IPAddress Resolve(string host, string setting)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ConfigException($"metrics-address {setting}: '{host}' has no address");
        }
        catch (SocketException e)
        {
            throw new ConfigException($"metrics-address {setting}: '{host}' cannot be looked up ({e.Message})");
        }
    }
}
