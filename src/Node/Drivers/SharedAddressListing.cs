using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Ownership;

namespace ActorVip.Node.Drivers;

/// <summary>
/// Answers <see cref="IAddressDriver.Has"/> from one listing of the interface's addresses that every VIP of the node
/// shares for <see cref="MaxAge"/>: each <see cref="Actors.VipActor"/> checks its address periodically, and with 1,000 VIPs
/// one listing (an rtnetlink dump of every address) per VIP per check was 1,000 dumps per interval (issue 15).
/// Add and Remove go to the driver at once and update the shared listing, so a VIP's own change is never answered stale;
/// an address someone else removed is seen at most <see cref="MaxAge"/> later.
/// </summary>
public sealed class SharedAddressListing(IAddressDriver inner, Func<InterfaceInfo, IEnumerable<IPAddress>> list, IMonotonicClock clock)
    : IAddressDriver
{
    /// <summary>How long one listing answers every VIP's check.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly Dictionary<int, (TimeSpan At, HashSet<IPAddress> Addresses)> _listings = new();

    public void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime)
    {
        inner.Add(link, vip, validLifetime);
        lock (_gate)
            if (_listings.TryGetValue(link.Index, out var listing)) listing.Addresses.Add(vip.Address);
    }

    public void Remove(InterfaceInfo link, VipAddress vip)
    {
        inner.Remove(link, vip);
        lock (_gate)
            if (_listings.TryGetValue(link.Index, out var listing)) listing.Addresses.Remove(vip.Address);
    }

    public bool Has(InterfaceInfo link, VipAddress vip)
    {
        lock (_gate)
        {
            var now = clock.Now;
            if (!_listings.TryGetValue(link.Index, out var listing) || now - listing.At >= MaxAge)
                _listings[link.Index] = listing = (now, list(link).ToHashSet());
            return listing.Addresses.Contains(vip.Address);
        }
    }
}
