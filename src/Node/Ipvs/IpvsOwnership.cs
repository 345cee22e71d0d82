using System.Net;

namespace ActorVip.Node.Ipvs;

/// <summary>
/// Which services of the kernel table this program may delete: those whose virtual address lies in one of its
/// prefixes, and the firewall-mark services named one by one (they have no address, so no prefix claims them).
/// </summary>
public sealed class IpvsOwnership
{
    private readonly IReadOnlyList<IPNetwork> _prefixes;
    private readonly IReadOnlySet<IpvsServiceKey> _marks;

    public IpvsOwnership(IEnumerable<IPNetwork> prefixes, IEnumerable<IpvsServiceKey>? marks = null)
    {
        _prefixes = prefixes.ToArray();
        _marks = (marks ?? []).Where(k => k.IsFirewallMark).ToHashSet();
    }

    public static IpvsOwnership Nothing { get; } = new([]);

    public IReadOnlyList<IPNetwork> Prefixes => _prefixes;

    public bool Owns(IpvsServiceKey key) => key.Address is { } address ? _prefixes.Any(p => p.Contains(address)) : _marks.Contains(key);

    /// <summary>Parses "192.0.2.0/24" or "2001:db8::/64"; a bare address means just that address.</summary>
    public static bool TryParsePrefix(string text, out IPNetwork prefix)
    {
        prefix = default;
        // IPNetwork.TryParse takes "192.0.2.1/24" as 192.0.2.0/24, and IPAddress.TryParse as 192.0.2.1: a prefix written
        // with host bits is a mistake, not a prefix.
        if (text.Contains('/'))
            return IPNetwork.TryParse(text, out prefix) && IPAddress.TryParse(text[..text.IndexOf('/')], out var written) && written.Equals(prefix.BaseAddress);
        if (IPAddress.TryParse(text, out var address))
        {
            prefix = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
            return true;
        }
        return false;
    }
}
