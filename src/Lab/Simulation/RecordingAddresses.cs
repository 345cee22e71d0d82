using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Lab.Simulation;

/// <summary>Records every address change; the address's valid lifetime is recorded as its expiry, as the kernel would apply it.</summary>
internal sealed class RecordingAddresses(SimulatedHost host) : IAddressDriver
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TimeSpan?> _present = new();

    public void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime)
    {
        var key = vip.Address.ToString();
        lock (_gate)
        {
            if (!host.ProcessAlive) return;
            _present[key] = host.Timeline.Now + validLifetime;
            host.Record(key, TimelineKind.AddressAdded, link.Name, validLifetime);
        }
    }

    public void Remove(InterfaceInfo link, VipAddress vip)
    {
        var key = vip.Address.ToString();
        lock (_gate)
        {
            if (!host.ProcessAlive) return;
            // Recorded even when absent: a restarted node's clean-up of a stale copy is part of the story.
            _present.Remove(key);
            host.Record(key, TimelineKind.AddressRemoved, link.Name);
        }
    }

    public void Add(InterfaceInfo link, IReadOnlyList<VipAddress> vips, TimeSpan? validLifetime)
    {
        foreach (var vip in vips) Add(link, vip, validLifetime);
    }

    public void Remove(InterfaceInfo link, IReadOnlyList<VipAddress> vips)
    {
        foreach (var vip in vips) Remove(link, vip);
    }

    public IReadOnlySet<IPAddress> Addresses(InterfaceInfo link)
    {
        lock (_gate)
        {
            return _present.Where(p => p.Value is null || p.Value > host.Timeline.Now).Select(p => IPAddress.Parse(p.Key)).ToHashSet();
        }
    }
}
