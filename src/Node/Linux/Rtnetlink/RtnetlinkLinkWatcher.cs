using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>
/// Follows interfaces by name through rtnetlink link notifications (a route socket bound to RTMGRP_LINK): each watch has
/// its own socket and a dedicated thread, so that a blocking receive never runs on the actor loop. The socket is opened
/// in the network namespace current when <see cref="Watch"/> is called; the current state is read once (RTM_GETLINK)
/// after the socket is subscribed, so that no change between the read and the first notification is missed.
/// </summary>
public sealed class RtnetlinkLinkWatcher(ILinkDriver links) : ILinkWatcher
{
    /// <summary>How long a receive waits before the thread looks whether its watch was disposed.</summary>
    private static readonly TimeSpan PollForStop = TimeSpan.FromMilliseconds(500);

    public IDisposable Watch(string name, Action<LinkStatus> onChange)
    {
        var socket = NetlinkSocket.Open(Nl.Route, 1 << 20, Rtm.GroupLink, PollForStop);
        var watch = new Subscription(name, socket, links, onChange);
        new Thread(watch.Run) { IsBackground = true, Name = $"link-watch-{name}" }.Start();
        return watch;
    }

    /// <summary>
    /// What one notification says about <paramref name="name"/>: its new state (a RTM_DELLINK, or a RTM_NEWLINK that
    /// renamed the interface <paramref name="index"/> we followed, means it is gone), or null when it is about another one.
    /// </summary>
    internal static LinkStatus? Apply(string name, int index, in NetlinkMessage message)
    {
        if (message.Type is not (Rtm.NewLink or Rtm.DelLink)) return null;
        if (RtnetlinkLinks.Parse(message) is not { } link) return null;
        if (link.Name == name) return new LinkStatus(name, message.Type == Rtm.DelLink ? null : link);
        // Renamed away: the interface we followed no longer has the configured name.
        if (link.Index == index && message.Type == Rtm.NewLink) return new LinkStatus(name, null);
        return null;
    }

    private sealed class Subscription(string name, NetlinkSocket socket, ILinkDriver links, Action<LinkStatus> onChange) : IDisposable
    {
        private volatile bool _stopped;
        private LinkStatus? _last;

        public void Run()
        {
            try
            {
                var reread = true;
                while (!_stopped)
                {
                    if (reread)
                    {
                        Deliver(new LinkStatus(name, links.Find(name)));
                        reread = false;
                    }
                    try
                    {
                        socket.ReceiveNotifications((in NetlinkMessage m) =>
                        {
                            if (Apply(name, _last?.Link?.Index ?? 0, m) is { } status) Deliver(status);
                        });
                    }
                    catch (NetlinkException e) when (e.Errno == Errnos.ENOBUFS)
                    {
                        // Notifications were dropped: what the kernel says now is the truth.
                        reread = true;
                    }
                }
            }
            catch (Exception e) when (!_stopped)
            {
                // The node cannot know its link any more: say so as "gone", which hands the VIPs over, rather than trust it.
                Deliver(new LinkStatus(name, null));
                Console.Error.WriteLine($"actorvip: following interface {name} failed: {e.Message}; treating it as down");
            }
            finally
            {
                socket.Dispose();
            }
        }

        private void Deliver(LinkStatus status)
        {
            if (_stopped || _last is { } last && last.SameAs(status)) return;
            _last = status;
            onChange(status);
        }

        public void Dispose() => _stopped = true;
    }
}
