using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Configuration;

/// <summary>HOST:PORT, with [v6]:PORT for IPv6 literals.</summary>
public sealed record Endpoint(string Host, int Port)
{
    public static bool TryParse(string text, out Endpoint? endpoint, out string? error)
    {
        endpoint = null;
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not HOST:PORT (expected e.g. [2001:db8::1]:4053)";
                return false;
            }
            host = text[1..close];
            port = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' in '{text}' is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                error = $"'{text}' is not HOST:PORT (expected e.g. 192.0.2.11:4053)";
                return false;
            }
            host = text[..colon];
            port = text[(colon + 1)..];
            if (!IsHostName(host))
            {
                error = $"'{host}' in '{text}' is not a host name or IPv4 address";
                return false;
            }
        }
        if (!TryParsePort(port, out var number))
        {
            error = $"'{port}' in '{text}' is not a port (expected 1 to 65535)";
            return false;
        }
        endpoint = new Endpoint(host, number);
        error = null;
        return true;
    }

    public static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253) return false;
        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
            return IPAddress.TryParse(host, out _) && host.Count(c => c == '.') == 3;
        return host.Split('.').All(label => label.Length is > 0 and <= 63 &&
            label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-');
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
