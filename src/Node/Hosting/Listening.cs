using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Hosting;

/// <summary>Opens a listening socket for a setting; a port in use or an address of another host is one clear IOException line.</summary>
public static class Listening
{
    /// <param name="setting">The setting's name (also its flag), for the message.</param>
    /// <param name="value">The setting's value as the user wrote it.</param>
    public static TcpListener Open(IPEndPoint at, string setting, string value)
    {
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
                SocketError.AddressAlreadyInUse => $"{setting} {value}: the port is already in use (another actorvip run on this host?); choose another with " +
                    $"--{setting} or actorvip.{setting}",
                SocketError.AddressNotAvailable => $"{setting} {value}: no interface of this host has that address; use one of its addresses",
                SocketError.AccessDenied => $"{setting} {value}: not allowed to listen on that port (below 1024 needs CAP_NET_BIND_SERVICE)",
                _ => $"{setting} {value}: cannot listen there ({e.Message})",
            }, e);
        }
    }

    /// <summary>The address of a host name or literal; a name that does not resolve is a ConfigException line.</summary>
    public static IPAddress Resolve(string host, string setting, string value)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ConfigException($"{setting} {value}: '{host}' has no address");
        }
        catch (SocketException e)
        {
            throw new ConfigException($"{setting} {value}: '{host}' cannot be looked up ({e.Message})");
        }
    }

    /// <summary>
    /// Akka binds the node address only once the actor system starts, after the fence is installed; a node
    /// address that is not on this host (or a port in use) would abort it half-way. Trying the bind first
    /// makes that one line, with nothing in the kernel touched.
    /// </summary>
    public static void CheckNodeAddress(Endpoint node)
    {
        var value = node.ToString();
        using var listener = Open(new IPEndPoint(Resolve(node.Host, "node-address", value), node.Port), "node-address", value);
        listener.Stop();
    }
}
