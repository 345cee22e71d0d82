using ActorVip.Node.Configuration;

namespace ActorVip.Node.Drivers;

/// <summary>Puts a VIP on an interface and takes it off (rtnetlink on Linux, a recorder in simulations).</summary>
public interface IAddressDriver
{
    /// <summary>Adds or replaces the address: preferred lifetime 0, the given valid lifetime (null: forever), NODAD on IPv6.</summary>
    void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime);

    /// <summary>Removes the address; does nothing when it is not there.</summary>
    void Remove(InterfaceInfo link, VipAddress vip);

    /// <summary>Whether the address (any prefix) is on the interface now.</summary>
    bool Has(InterfaceInfo link, VipAddress vip);
}
