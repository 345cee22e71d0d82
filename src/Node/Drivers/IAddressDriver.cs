using System.Net;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Drivers;

/// <summary>Puts a VIP on an interface and takes it off (rtnetlink on Linux, a recorder in simulations).</summary>
public interface IAddressDriver
{
    /// <summary>Adds or replaces the address: preferred lifetime 0, the given valid lifetime (null: forever), NODAD on IPv6.</summary>
    void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime);

    /// <summary>Removes the address; does nothing when it is not there.</summary>
    void Remove(InterfaceInfo link, VipAddress vip);

    /// <summary>
    /// Removes every address of <paramref name="vips"/> in as few kernel round trips as fit (a graceful stop silences all the
    /// VIPs it holds at once); one not there is no error. The first failure is thrown after the rest were tried.
    /// </summary>
    void Remove(InterfaceInfo link, IReadOnlyList<VipAddress> vips);

    /// <summary>
    /// Adds or replaces every address of <paramref name="vips"/>, in as few kernel round trips as fit: the agent refreshes every
    /// VIP it holds on an interface this way each check-interval. The first failure is thrown after the rest were tried.
    /// </summary>
    void Add(InterfaceInfo link, IReadOnlyList<VipAddress> vips, TimeSpan? validLifetime);

    /// <summary>Every address (any prefix) on the interface now: one listing answers the check of every VIP held there.</summary>
    IReadOnlySet<IPAddress> Addresses(InterfaceInfo link);

    /// <summary>Whether the address (any prefix) is on the interface now.</summary>
    bool Has(InterfaceInfo link, VipAddress vip) => Addresses(link).Contains(vip.Address);
}
