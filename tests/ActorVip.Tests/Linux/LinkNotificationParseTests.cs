using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Tests.Linux;

/// <summary>
/// The link watcher's reading of real kernel notifications (Linux/rtnetlink-link-capture.tsv, captured from RTMGRP_LINK
/// with stats and all): a veth h5vip (index 3, peer h5peer index 2) brought up, set down and deleted.
/// </summary>
public class LinkNotificationParseTests
{
    private static byte[] Captured(string what) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Linux", "rtnetlink-link-capture.tsv"))
            .Where(l => !l.StartsWith('#') && l.Length > 0)
            .Select(l => l.Split('\t'))
            .Single(f => f[0] == what)[1] is var hex ? Convert.FromHexString(hex) : [];

    private static ActorVip.Node.Drivers.LinkStatus? Apply(string name, int index, string what)
    {
        var reader = new NetlinkMessageReader(Captured(what));
        Assert.True(reader.TryRead(out var message));
        return RtnetlinkLinkWatcher.Apply(name, index, message);
    }

    [Fact]
    public void Up_with_carrier_gives_index_mac_and_can_serve()
    {
        var status = Apply("h5vip", 0, "h5vip-up");

        Assert.NotNull(status?.Link);
        Assert.Equal((3, "02005E005307", true, true, true), (status.Link.Index, status.Link.Mac.ToString(), status.Link.AdminUp, status.Link.LowerUp,
            status.CanServe));
    }

    [Fact]
    public void Admin_down_cannot_serve_and_says_why()
    {
        var status = Apply("h5vip", 3, "h5vip-admin-down");

        Assert.NotNull(status?.Link);
        Assert.False(status.Link.AdminUp);
        Assert.False(status.CanServe);
        Assert.Equal("interface h5vip is administratively down", status.Reason);
    }

    [Fact]
    public void Carrier_lost_is_up_without_lower_up()
    {
        // h5peer stays administratively up; its peer went down, so its carrier (IFF_LOWER_UP) is gone.
        var status = Apply("h5peer", 2, "h5peer-carrier-lost");

        Assert.NotNull(status?.Link);
        Assert.Equal((true, false, false), (status.Link.AdminUp, status.Link.LowerUp, status.CanServe));
        Assert.Equal("interface h5peer has no carrier", status.Reason);
    }

    [Fact]
    public void Deleted_interface_is_gone()
    {
        var status = Apply("h5vip", 3, "h5vip-deleted");

        Assert.NotNull(status);
        Assert.Null(status.Link);
        Assert.Equal("interface h5vip does not exist", status.Reason);
    }

    [Fact]
    public void Another_interface_is_ignored_and_a_rename_away_is_gone()
    {
        Assert.Null(Apply("eth9", 7, "h5vip-up"));
        // The interface we followed (index 3) now carries another name: ours no longer exists.
        Assert.Null(Apply("eth9", 3, "h5vip-up")!.Link);
    }
}
