using ActorVip.Node.Hosting;
using DotNetty.Transport.Channels;

namespace ActorVip.Node.Runtime;

/// <summary>
/// Guards the cluster port against connection floods. Akka's transport accepts every connection and keeps one that
/// never completes its handshake open for ever ("Handshake timed out" is logged, the socket stays): 19,900 silent
/// connections took a node to its file descriptor limit and out of memory. Each accepted connection is counted by
/// source and in total (<see cref="ConnectionLimit"/>); one over a cap is never registered, so DotNetty closes it at
/// once; and one that sends nothing for <see cref="SilenceLimit"/> is closed. A connected peer sends Akka's transport
/// heartbeat every 4 s and cluster heartbeats every second, so only a stalled or hostile connection stays silent that long.
/// </summary>
public sealed class InboundConnections
{
    /// <summary>Each peer keeps one inbound association, and a few more while it reconnects.</summary>
    public const int MaxPerSource = 8;

    /// <summary>Nine voters at most, with room for restarts and `actorvip status` on other ports.</summary>
    public const int MaxTotal = 128;

    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(20);

    private readonly ConnectionLimit _limit = new(MaxPerSource, MaxTotal);
    private long _refused;
    private long _silenced;

    public int Open => _limit.Open;

    public long Refused => Interlocked.Read(ref _refused);

    public long Silenced => Interlocked.Read(ref _silenced);

    /// <summary>
    /// Whether an accepted <paramref name="channel"/> may be registered; when it may, it is counted until it closes and
    /// watched for silence once registered (<see cref="Watch"/>).
    /// </summary>
    public bool TryAccept(IChannel channel)
    {
        var from = channel.RemoteAddress;
        if (!_limit.TryOpen(from))
        {
            Interlocked.Increment(ref _refused);
            return false;
        }
        channel.CloseCompletion.ContinueWith(_ => _limit.Close(from), TaskScheduler.Default);
        return true;
    }

    /// <summary>Puts the silence watch first in the registered channel's pipeline, before TLS and Akka's frame decoder.</summary>
    public void Watch(IChannel channel) => channel.Pipeline.AddFirst("actorvip-silence", new SilenceWatch(this));

    private sealed class SilenceWatch(InboundConnections owner) : ChannelHandlerAdapter
    {
        private DateTime _lastRead = DateTime.UtcNow;

        public override void HandlerAdded(IChannelHandlerContext context) => Arm(context, SilenceLimit);

        public override void ChannelRead(IChannelHandlerContext context, object message)
        {
            _lastRead = DateTime.UtcNow;
            context.FireChannelRead(message);
        }

        private void Arm(IChannelHandlerContext context, TimeSpan delay)
        {
            try
            {
                context.Executor.Schedule(() => Check(context), delay);
            }
            catch (DotNetty.Common.Concurrency.RejectedExecutionException)
            {
                // The actor system is stopping; the channel goes with it.
            }
        }

        private void Check(IChannelHandlerContext context)
        {
            if (!context.Channel.Open) return;
            var quiet = DateTime.UtcNow - _lastRead;
            if (quiet < SilenceLimit)
            {
                Arm(context, SilenceLimit - quiet);
                return;
            }
            Interlocked.Increment(ref owner._silenced);
            context.CloseAsync();
        }
    }
}
