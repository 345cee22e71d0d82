using DotNetty.Common.Concurrency;
using DotNetty.Transport.Channels;
using AkkaRunnable = Akka.Dispatch.IRunnable;
using NettyRunnable = DotNetty.Common.Concurrency.IRunnable;

namespace ActorVip.Node.Runtime;

/// <summary>
/// A DotNetty event loop (and a group of one) that runs on the node's actor loop (<see cref="ActorLoopScheduler"/>)
/// instead of a thread of its own. Akka's remoting then writes a message to its socket on the thread of the actor
/// that sent it, and a received frame is decoded on the thread that runs the actor it is for: a received message
/// wakes two threads (the socket engine, then the loop) instead of three, and a sent one wakes none. Channel tasks
/// run in the order posted; DotNetty's scheduled tasks (the connect timeout) are kept in DotNetty's own queue and
/// run by a timer of the actor loop at their deadline. Shutting the group down does not stop the actor loop: the actor
/// system owns it.
/// </summary>
public sealed class ActorLoopEventLoop : AbstractScheduledEventExecutor, IEventLoop
{
    private readonly ActorLoopScheduler _loop;
    private readonly System.Threading.Tasks.TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AkkaRunnable _postDueTasks;
    private volatile bool _shutdown;

    private readonly InboundConnections? _inbound;

    /// <param name="loop">The actor loop that runs every task.</param>
    /// <param name="inbound">When set, every accepted connection registered here is subject to its limits.</param>
    public ActorLoopEventLoop(ActorLoopScheduler loop, InboundConnections? inbound = null)
    {
        _loop = loop;
        _inbound = inbound;
        _postDueTasks = new PostDueTasks(this);
    }

    public new IEventLoopGroup Parent => this;

    public new IEnumerable<IEventLoop> Items => [this];

    public new IEventLoop GetNext() => this;

    /// <summary>
    /// Registers a channel. An accepted one (it has a parent, the server channel) over the inbound limits is not
    /// registered: the task fails and DotNetty's acceptor closes the socket at once.
    /// </summary>
    public Task RegisterAsync(IChannel channel)
    {
        if (_inbound is null || channel.Parent is null) return channel.Unsafe.RegisterAsync(this);
        if (!_inbound.TryAccept(channel)) return Task.FromException(new ChannelException("inbound connection limit reached"));
        var registered = channel.Unsafe.RegisterAsync(this);
        if (registered.IsCompletedSuccessfully) _inbound.Watch(channel);
        else registered.ContinueWith(t => { if (t.IsCompletedSuccessfully) channel.EventLoop.Execute(() => _inbound.Watch(channel)); }, TaskScheduler.Default);
        return registered;
    }

    public override bool IsShuttingDown => _shutdown;

    public override bool IsShutdown => _shutdown;

    public override bool IsTerminated => _shutdown;

    public override Task TerminationCompletion => _terminated.Task;

    public override bool IsInEventLoop(Thread thread) => _loop.RunsOn(thread);

    public override void Execute(NettyRunnable task) => _loop.Execute(new Work(task));

    public override Task ShutdownGracefullyAsync(TimeSpan quietPeriod, TimeSpan timeout)
    {
        _shutdown = true;
        _terminated.TrySetResult();
        return _terminated.Task;
    }

    protected override IEnumerable<IEventExecutor> GetItems() => [this];

    public override IScheduledTask Schedule(NettyRunnable action, TimeSpan delay) => Arm(base.Schedule(action, delay), delay);

    public override IScheduledTask Schedule(Action action, TimeSpan delay) => Arm(base.Schedule(action, delay), delay);

    public override IScheduledTask Schedule(Action<object> action, object state, TimeSpan delay) => Arm(base.Schedule(action, state, delay), delay);

    public override IScheduledTask Schedule(Action<object, object> action, object context, object state, TimeSpan delay) =>
        Arm(base.Schedule(action, context, state, delay), delay);

    public override Task ScheduleAsync(Action action, TimeSpan delay, CancellationToken cancellationToken) =>
        Arm(base.ScheduleAsync(action, delay, cancellationToken), delay);

    public override Task ScheduleAsync(Action<object> action, object state, TimeSpan delay, CancellationToken cancellationToken) =>
        Arm(base.ScheduleAsync(action, state, delay, cancellationToken), delay);

    public override Task ScheduleAsync(Action<object, object> action, object context, object state, TimeSpan delay, CancellationToken cancellationToken) =>
        Arm(base.ScheduleAsync(action, context, state, delay, cancellationToken), delay);

    /// <summary>
    /// At the deadline, posts a run of the due tasks behind whatever was posted before (the base class may have
    /// posted the enqueue of this very task), so it always finds the task queued.
    /// </summary>
    private T Arm<T>(T scheduled, TimeSpan delay)
    {
        try
        {
            ((Akka.Actor.IActionScheduler)_loop).ScheduleOnce(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _postDueTasks);
        }
        catch (Akka.Actor.SchedulerException e)
        {
            // The actor system is gone: DotNetty's callers (Akka's graceful close) then close at once.
            throw new RejectedExecutionException(e.Message);
        }
        return scheduled;
    }

    private void RunDueTasks()
    {
        var now = GetNanos();
        while (PollScheduledTask(now) is { } task) task.Run();
    }

    /// <summary>The timer's action: queue <see cref="RunDueTasks"/> as work, behind what was posted before.</summary>
    private sealed class PostDueTasks(ActorLoopEventLoop loop) : AkkaRunnable
    {
        private readonly AkkaRunnable _run = new DueTasks(loop);

        public void Run() => loop._loop.Execute(_run);

        public void Execute() => Run();
    }

    private sealed class DueTasks(ActorLoopEventLoop loop) : AkkaRunnable
    {
        public void Run() => loop.RunDueTasks();

        public void Execute() => Run();
    }

    /// <summary>A DotNetty task as Akka work for the actor loop.</summary>
    private sealed class Work(NettyRunnable task) : AkkaRunnable
    {
        public void Run() => task.Run();

        public void Execute() => task.Run();

        public override string ToString() => task.ToString() ?? nameof(Work);
    }
}
