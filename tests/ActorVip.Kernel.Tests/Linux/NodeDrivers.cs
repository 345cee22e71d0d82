using ActorVip.Node.Drivers;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Packet;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Kernel.Tests.Linux;

/// <summary>The real drivers with their sockets opened inside one lab namespace.</summary>
public sealed class NodeDrivers : IDisposable
{
    public NodeDrivers(string ns)
    {
        using (NetworkNamespace.Enter(ns))
        {
            Links = new RtnetlinkLinks();
            Addresses = new RtnetlinkAddresses();
            Announcer = new GratuitousAnnouncer();
        }
    }

    public RtnetlinkLinks Links { get; }
    public RtnetlinkAddresses Addresses { get; }
    public GratuitousAnnouncer Announcer { get; }

    public InterfaceInfo Eth0 => Links.Find("eth0") ?? throw new InvalidOperationException("eth0 is missing in the lab namespace.");

    public void Dispose()
    {
        Links.Dispose();
        Addresses.Dispose();
        Announcer.Dispose();
    }
}
