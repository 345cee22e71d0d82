using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Nftables;
using ActorVip.Node.Linux.Packet;
using ActorVip.Node.Linux.Rtnetlink;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Linux;

/// <summary>Opens the real kernel drivers of one node and closes them together.</summary>
public sealed class LinuxDrivers : IDisposable
{
    private readonly List<IDisposable> _owned = new();

    private LinuxDrivers(NodeSettings settings)
    {
        try
        {
            var links = Own(new RtnetlinkLinks());
            var addresses = Own(new RtnetlinkAddresses());
            var announcer = Own(new GratuitousAnnouncer());
            var fence = settings.Fence.Enabled ? Own(new KernelFence(settings.Fence.Table, InboundFence.For(settings), settings.VipInterfaces)) : null;
            Set = new DriverSet(links, addresses, announcer, fence, settings.Balances ? LoadBalancer() : null, new RtnetlinkLinkWatcher(links));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The drivers; with IPVS once <see cref="OpenLoadBalancer"/> opened it.</summary>
    public DriverSet Set { get; private set; }

    private LoadBalancerDrivers LoadBalancer() => new(Own(new KernelIpvs()), Own(new MasqueradeNat()), Own(new HealthProbes()));

    /// <summary>
    /// IPVS for a node that started without load-balanced services (a reload brought the first): opened once, closed with the rest. The
    /// IPVS socket opens on first use, so the kernel is asked here (a listing): a kernel without IPVS throws (IpvsException) and leaves
    /// nothing open and <see cref="Set"/> as it was.
    /// </summary>
    public LoadBalancerDrivers OpenLoadBalancer()
    {
        if (Set.LoadBalancer is { } open) return open;
        var owned = _owned.Count;
        try
        {
            var lb = LoadBalancer();
            lb.Ipvs.List();
            Set = Set with { LoadBalancer = lb };
            return lb;
        }
        catch
        {
            foreach (var d in _owned.Skip(owned).Reverse()) d.Dispose();
            _owned.RemoveRange(owned, _owned.Count - owned);
            throw;
        }
    }

    public static LinuxDrivers Open(NodeSettings settings) => new(settings);

    private T Own<T>(T driver) where T : IDisposable
    {
        _owned.Add(driver);
        return driver;
    }

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        _owned.Clear();
    }
}
