using System.Net;
using System.Net.Sockets;

namespace ActorVip.Node.Configuration;

/// <summary>A virtual IP with the prefix it is added with (by default /32 or /128).</summary>
public sealed record VipAddress(IPAddress Address, int PrefixLength)
{
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public int MaxPrefixLength => IsIPv6 ? 128 : 32;

    /// <summary>Parses "192.0.2.10", "192.0.2.10/24", "2001:db8::10/64".</summary>
    public static bool TryParse(string text, out VipAddress? vip, out string? error)
    {
        vip = null;
        var slash = text.IndexOf('/');
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!IPAddress.TryParse(addressText, out var address) ||
            address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) ||
            (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            error = $"'{addressText}' is not an IPv4 or IPv6 address (expected e.g. 192.0.2.10 or 2001:db8::10)";
            return false;
        }
        if (address.IsIPv6LinkLocal || IPAddress.Any.Equals(address) || IPAddress.IPv6Any.Equals(address) ||
            IPAddress.Broadcast.Equals(address) || IsMulticast(address))
        {
            error = $"'{addressText}' cannot be a virtual IP (expected a unicast address)";
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6) address.ScopeId = 0;
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, null, out prefix) || prefix < 1 || prefix > max))
        {
            error = $"'{text[(slash + 1)..]}' is not a valid prefix length for {addressText} (expected 1 to {max})";
            return false;
        }
        error = null;
        vip = new VipAddress(address, prefix);
        return true;
    }

    public static VipAddress Parse(string text) =>
        TryParse(text, out var vip, out var error) ? vip! : throw new FormatException(error);

    private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? address.IsIPv6Multicast
        : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    public override string ToString() => $"{Address}/{PrefixLength}";
}
