using System.Collections.Concurrent;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Kernel.Tests.Linux;

/// <summary>The link watcher on a real kernel: what `ip link` does to a veth in a lab namespace reaches it as notifications.</summary>
public class RtnetlinkLinkWatcherTests
{
    [Fact]
    public void Follows_down_up_delete_and_re_create_by_name()
    {
        using var lab = new NetworkLab("lw");
        var ns = lab.AddHost("n", "192.0.2.11/24");
        var seen = new BlockingCollection<LinkStatus>();
        RtnetlinkLinks links;
        IDisposable watch;
        using (NetworkNamespace.Enter(ns))
        {
            links = new RtnetlinkLinks();
            watch = new RtnetlinkLinkWatcher(links).Watch("eth0", seen.Add);
        }
        using var _ = links;
        using var __ = watch;
        LinkStatus Next() => seen.TryTake(out var s, TimeSpan.FromSeconds(5)) ? s : throw new TimeoutException("no link notification within 5 s");

        var first = Next();
        Assert.True(first.CanServe, first.Reason);
        var index = first.Link!.Index;

        lab.Exec(ns, "ip", "link", "set", "eth0", "down").ThrowIfFailed("ip link set down");
        Assert.Equal("interface eth0 is administratively down", Next().Reason);
        lab.Exec(ns, "ip", "link", "set", "eth0", "up").ThrowIfFailed("ip link set up");
        // Up comes first without carrier for a moment on a veth, then with it.
        var up = Next();
        if (!up.CanServe) up = Next();
        Assert.True(up.CanServe, up.Reason);

        // Carrier lost: the far end (the bridge port in the switch) goes down, eth0 stays administratively up.
        lab.SetLink(ns, up: false);
        Assert.Equal("interface eth0 has no carrier", Next().Reason);
        lab.SetLink(ns, up: true);
        Assert.True(Next().CanServe);

        lab.Exec(ns, "ip", "link", "del", "eth0").ThrowIfFailed("ip link del");
        // The kernel sets a deleted link down (a RTM_NEWLINK) before the RTM_DELLINK.
        var gone = Next();
        if (gone.Link is not null) gone = Next();
        Assert.Equal("interface eth0 does not exist", gone.Reason);
        lab.Exec(ns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer").ThrowIfFailed("ip link add");
        lab.Exec(ns, "ip", "link", "set", "eth0peer", "up").ThrowIfFailed("ip link set peer up");
        lab.Exec(ns, "ip", "link", "set", "eth0", "up").ThrowIfFailed("ip link set up");
        LinkStatus back;
        do back = Next(); while (!back.CanServe);
        Assert.NotEqual(index, back.Link!.Index);
    }
}
