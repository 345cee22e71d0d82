using System.Net;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Security;

/// <summary>The start-up warning for a cluster transport in clear text that other machines can reach.</summary>
public static class PlaintextWarning
{
    /// <summary>Null when TLS is on or the node listens on loopback only.</summary>
    public static string? For(NodeSettings settings)
    {
        if (settings.TransportSecurity.Enabled) return null;
        var host = settings.NodeAddress.Host;
        var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (loopback) return null;
        return $"actorvip: warning: cluster transport is not encrypted (tls.enabled = off) on {host}; anyone who can reach port {settings.NodeAddress.Port} " +
            "can join; see docs/SECURITY.md";
    }
}
