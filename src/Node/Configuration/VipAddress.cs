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
        // Each of these belongs to the host itself or to no one host, so no node may take it over: loopback answers only
        // the host, a link-local IPv4 address is the link's own, and a v4-mapped one is not an IPv6 VIP at all.
        if (IPAddress.IsLoopback(address) || address.IsIPv4MappedToIPv6 || IsIpv4LinkLocal(address) || IsThisNetwork(address))
        {
            error = $"'{addressText}' cannot be a virtual IP: it is a {Kind(address)} address (expected a unicast address of the interface's " +
                "network, e.g. 192.0.2.10)";
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
        if (HostPart(address, prefix) is { } part)
        {
            error = $"'{text}' is the {part} address of its network, not a host's (expected a host address such as {Example(address, prefix)}/{prefix})";
            return false;
        }
        error = null;
        vip = new VipAddress(address, prefix);
        return true;
    }

    public static VipAddress Parse(string text) =>
        TryParse(text, out var vip, out var error) ? vip! : throw new FormatException(error);

    private static bool IsIpv4LinkLocal(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, ..];

    private static bool IsThisNetwork(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 0;

    private static string Kind(IPAddress address) =>
        IPAddress.IsLoopback(address) ? "loopback" : address.IsIPv4MappedToIPv6 ? "v4-mapped IPv6" : IsThisNetwork(address) ? "\"this network\" " +
            "(0.0.0.0/8)" : "link-local";

    /// <summary>"network" or "broadcast" when the host bits are all zeros or all ones (IPv4 up to /30; IPv6 all zeros up to /126, the subnet-router
    /// anycast), else null.</summary>
    private static string? HostPart(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        var bits = bytes.Length * 8;
        if (prefix > bits - 2) return null;
        bool AllHostBits(bool one)
        {
            for (var b = prefix; b < bits; b++)
                if (((bytes[b / 8] >> (7 - b % 8)) & 1) != (one ? 1 : 0)) return false;
            return true;
        }
        if (AllHostBits(false)) return "network";
        return bytes.Length == 4 && AllHostBits(true) ? "broadcast" : null;
    }

    private static string Example(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var b = prefix; b < bytes.Length * 8; b++) bytes[b / 8] &= (byte)~(1 << (7 - b % 8));
        bytes[^1] |= 10;
        return new IPAddress(bytes).ToString();
    }

    private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? address.IsIPv6Multicast
        : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    public override string ToString() => $"{Address}/{PrefixLength}";
}
