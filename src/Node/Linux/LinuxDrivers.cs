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

    public DriverSet Set { get; }

    private LoadBalancerDrivers LoadBalancer() => new(Own(new KernelIpvs()), Own(new MasqueradeNat()), Own(new HealthProbes()));

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
