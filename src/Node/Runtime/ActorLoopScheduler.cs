using System.Diagnostics;
using ActorVip.Ownership;
using Akka.Actor;
using Akka.Actor.Scheduler;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace ActorVip.Node.Runtime;

/// <summary>
/// Akka's scheduler for a node that is idle most of the time: one thread sleeps until the earliest deadline,
/// instead of Akka's hashed wheel that wakes a timer and a pool thread every tick (10 ms: 200 wake-ups a
/// second with nothing due, most of an idle node's CPU). Timers also fire at their deadline, not on the
/// next tick. Selected by akka.scheduler.implementation; Akka constructs it with (Config, ILoggingAdapter).
/// The same thread also runs the actors of every dispatcher whose executor is <see cref="ActorLoopExecutor"/>
/// (<see cref="Execute"/>): a timer's message and the work it causes then run without waking another thread.
/// Housekeeping timers (repeating every <see cref="HousekeepingInterval"/> or slower: Akka's gossip, heartbeat and
/// reaper ticks) may fire up to <see cref="HousekeepingSlack"/> late, with whatever wakes the thread next, like Linux
/// timer slack; every other timer fires at its deadline.
/// It also watches itself (<see cref="LoopStallDetector"/>): work started later than half the lease's renew-interval
/// after it was due is a stall, logged as a warning (at most one line per 10 s) and counted in <see cref="Stalls"/>;
/// a node's start-up (actorvip.actor-loop.startup-grace) is not judged.
/// </summary>
public sealed class ActorLoopScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    /// <summary>A repeating timer at least this slow is housekeeping: it may wait up to <see cref="HousekeepingSlack"/> for another wake-up.</summary>
    public static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How late a housekeeping timer may fire. An idle node wakes at least every renew-interval anyway (the owner to
    /// renew, the voters to ack), so with the default 250 ms the housekeeping ticks cost no wake-up of their own.
    /// A repeating timer keeps its phase: it is late by at most this much, never drifting.
    /// </summary>
    public static readonly TimeSpan HousekeepingSlack = TimeSpan.FromMilliseconds(300);

    private readonly object _gate = new();
    private readonly PriorityQueue<Timer, (long Deadline, long Order)> _due = new();
    private readonly PriorityQueue<Timer, (long Deadline, long Order)> _housekeeping = new();
    private readonly Queue<(IRunnable Work, long PostedAt)> _work = new();
    private readonly Thread _thread;
    private readonly LoopSignal _signal = new();
    private readonly TimeSpan _shutdownTimeout;
    private readonly LoopStallDetector _stalls;
    private readonly SuspendDetector _suspends = new(SuspendDetector.DefaultMinimum);
    private long _order;
    private bool _stopping;
    private bool _sleeping;

    public ActorLoopScheduler(Config scheduler, ILoggingAdapter log) : base(scheduler, log)
    {
        _shutdownTimeout = SchedulerConfig.GetTimeSpan("akka.scheduler.shutdown-timeout", TimeSpan.FromSeconds(5));
        // Akka hands the scheduler the whole configuration; a node's carries its lease, a bare actor system the default.
        var renewInterval = SchedulerConfig.GetTimeSpan("actorvip.lease.renew-interval", LeaseSettings.DefaultRenewInterval, allowInfinite: false);
        _stalls = new LoopStallDetector(LoopStallDetector.ThresholdFor(renewInterval), LoopStallDetector.DefaultWarningInterval);
        // From the start, before the actor system that owns this scheduler has even finished starting.
        var grace = SchedulerConfig.GetTimeSpan("actorvip.actor-loop.startup-grace", TimeSpan.Zero, allowInfinite: false);
        _stalls.JudgeFrom(Now() + grace.Ticks);
        _thread = new Thread(Run) { IsBackground = true, Name = "actor-loop" };
        _thread.Start();
    }

    /// <summary>How often this loop stalled and the longest it was late; read for actorvip_actor_loop_* at each scrape.</summary>
    public LoopStalls Stalls => _stalls.Snapshot;

    /// <summary>How often the host was suspended while this loop ran (see <see cref="SuspendDetector"/>).</summary>
    public long Suspensions => _suspends.Count;

    /// <summary>Work started later than this after it was due is a stall.</summary>
    public TimeSpan StallThreshold => _stalls.Threshold;


    protected override DateTimeOffset TimeNow => DateTimeOffset.UtcNow;
    public override TimeSpan MonotonicClock => Stopwatch.GetElapsedTime(Started);
    public override TimeSpan HighResMonotonicClock => Stopwatch.GetElapsedTime(Started);

    private static readonly long Started = Stopwatch.GetTimestamp();

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Add(delay, TimeSpan.Zero, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender,
        ICancelable cancelable) =>
        Add(initialDelay, interval, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Add(delay, TimeSpan.Zero, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Add(delay, TimeSpan.Zero, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Add(initialDelay, interval, new ActionRunnable(action), cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Add(initialDelay, interval, action, cancelable);

    private void Add(TimeSpan delay, TimeSpan interval, IRunnable action, ICancelable? cancelable)
    {
        var timer = new Timer(action, cancelable, interval) { Deadline = Now() + Math.Max(0, delay.Ticks) };
        bool wake;
        lock (_gate)
        {
            if (_stopping) throw new SchedulerException("cannot enqueue after timer shutdown");
            // Only a timer due before the time the thread sleeps towards needs to wake it.
            var earlier = LatestFire(timer) < WakeAt();
            Enqueue(timer);
            wake = earlier && WakeUnderLock();
        }
        if (wake) _signal.Set();
    }

    /// <summary>Whether the caller must wake the thread (after leaving the lock); once per sleep. Called under the lock.</summary>
    private bool WakeUnderLock()
    {
        if (!_sleeping) return false;
        _sleeping = false;
        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on this scheduler's thread, in the order posted, between due timers. Work posted
    /// after shutdown runs on the .NET thread pool instead, so that nothing an actor system hands over is lost.
    /// </summary>
    public void Execute(IRunnable work)
    {
        bool wake, stopped;
        var posted = Now();
        lock (_gate)
        {
            stopped = _stopping;
            if (!stopped) _work.Enqueue((work, posted));
            wake = !stopped && WakeUnderLock();
        }
        if (wake) _signal.Set();
        if (stopped) RunOnPool(work);
    }

    private static void RunOnPool(IRunnable work) => ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(), work, preferLocal: false);

    /// <summary>True on the thread that fires timers and runs posted work.</summary>
    public bool IsLoopThread => RunsOn(Thread.CurrentThread);

    /// <summary>True for the thread that fires timers and runs posted work (DotNetty asks about any thread).</summary>
    public bool RunsOn(Thread thread) => thread == _thread;

    private void Enqueue(Timer timer)
    {
        // Equal deadlines run in the order they were scheduled, like Akka's wheel.
        timer.Order = _order++;
        (timer.IsHousekeeping ? _housekeeping : _due).Enqueue(timer, (timer.Deadline, timer.Order));
    }

    /// <summary>The latest time a timer may fire: its deadline, plus the slack for housekeeping.</summary>
    private static long LatestFire(Timer timer) => timer.Deadline + (timer.IsHousekeeping ? HousekeepingSlack.Ticks : 0);

    /// <summary>
    /// When the thread must wake for a timer (long.MaxValue: never). Cancelled timers at the head are dropped here, so
    /// that a timer rescheduled on every message (a lease watchdog) does not wake the thread once for each copy it
    /// cancelled. Called under the lock.
    /// </summary>
    private long WakeAt() => Math.Min(Head(_due), Head(_housekeeping));

    private static long Head(PriorityQueue<Timer, (long Deadline, long Order)> queue)
    {
        while (queue.TryPeek(out var head, out _) && head.Cancelled) queue.Dequeue();
        return queue.TryPeek(out var next, out _) ? LatestFire(next) : long.MaxValue;
    }

    /// <summary>Moves every timer whose deadline has passed, housekeeping included, to <paramref name="ready"/> in deadline order. Called under the
    /// lock.</summary>
    private void TakeDue(long now, List<Timer> ready)
    {
        while (_due.TryPeek(out var next, out _) && next.Deadline <= now) ready.Add(_due.Dequeue());
        var precise = ready.Count;
        while (_housekeeping.TryPeek(out var next, out _) && next.Deadline <= now) ready.Add(_housekeeping.Dequeue());
        if (ready.Count > precise) ready.Sort(static (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.Order.CompareTo(b.Order));
    }

    private static long Now() => Stopwatch.GetElapsedTime(Started).Ticks;

    private void Run()
    {
        var ready = new List<Timer>();
        var work = new List<(IRunnable Work, long PostedAt)>();
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (_stopping)
                {
                    while (_work.TryDequeue(out var left)) RunOnPool(left.Work);
                    return;
                }
                wait = _work.Count > 0 ? TimeSpan.Zero : NextWait();
                _sleeping = wait != TimeSpan.Zero;
                if (!_sleeping)
                {
                    TakeDue(Now(), ready);
                    while (_work.TryDequeue(out var item)) work.Add(item);
                }
            }
            if (wait != TimeSpan.Zero)
            {
                // A poster that saw _sleeping signals after we left the lock; the eventfd keeps that until we poll.
                _signal.Wait(wait);
                // A suspended host stops while this thread sleeps (where it spends nearly all its time), so waking is
                // where a suspension shows first: two clock reads per wake-up, no timer of its own.
                NoticeSuspension();
                continue;
            }
            foreach (var timer in ready)
            {
                if (timer.Cancelled) continue;
                var started = Starting(LatestFire(timer));
                Fire(timer);
                _stalls.Ran(timer.Action, Now() - started);
            }
            ready.Clear();
            foreach (var (item, posted) in work)
            {
                var started = Starting(posted);
                RunWork(item);
                _stalls.Ran(item, Now() - started);
            }
            work.Clear();
        }
    }

    private void NoticeSuspension()
    {
        var boot = LinuxClocks.BootTimeTicks();
        if (_suspends.Observe(boot, LinuxClocks.MonotonicTicks()) is not { } suspended) return;
        Log.Warning(
            "the host was suspended: CLOCK_BOOTTIME advanced and CLOCK_MONOTONIC did not; the leases count that time, so any VIP this node held "
            + "before is dropped at its next step (the other nodes took it over meanwhile) suspended-ms={0}",
            Math.Round(suspended.TotalMilliseconds));
    }

    /// <summary>Tells the stall detector that something due at <paramref name="dueAt"/> starts now; logs a stall it reports.</summary>
    private long Starting(long dueAt)
    {
        var now = Now();
        if (_stalls.Starting(dueAt, now) is { } stall)
        {
            // Publishing a log event only enqueues it: the loggers run on the blocking-io dispatcher, off this loop.
            Log.Warning(
                "actor loop stalled: work started late; a call that blocks the actor loop delays every lease renewal (blocking work "
                + "belongs on akka.actor.default-blocking-io-dispatcher) late-ms={0} threshold-ms={1} longest-task-ms={2} longest-task={3} "
                + "stalls-not-logged={4}",
                Math.Round(stall.Late.TotalMilliseconds), Math.Round(stall.Threshold.TotalMilliseconds),
                Math.Round(stall.LongestTask.TotalMilliseconds), Describe(stall.LongestTaskWhat), stall.Unlogged);
        }
        return now;
    }

    /// <summary>
    /// A scheduled tell names its receiver and message, a remoting task DotNetty's task; an actor's mailbox run is
    /// Akka's Mailbox, whose actor Akka keeps internal.
    /// </summary>
    private static string Describe(object? task) => task switch
    {
        null => "none",
        ScheduledTell tell => tell.ToString(),
        Mailbox => "an actor's mailbox (Akka.Dispatch.Mailbox)",
        _ => task.ToString() ?? task.GetType().Name,
    };

    private void RunWork(IRunnable work)
    {
        try
        {
            work.Run();
        }
        catch (Exception e)
        {
            // Akka's mailbox handles an actor's own failures; this keeps the loop alive for everything else.
            Log.Error(e, "Error while running {0} on the actor loop", work);
        }
    }

    /// <summary>Time until the thread must wake for a timer; infinite with nothing scheduled. Called under the lock.</summary>
    private TimeSpan NextWait()
    {
        var at = WakeAt();
        return at == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(0, at - Now()));
    }

    private void Fire(Timer timer)
    {
        if (timer.Cancelled) return;
        try
        {
            timer.Action.Run();
        }
        catch (Exception e)
        {
            Log.Error(e, "Error while executing scheduled task {0}", timer.Action);
            return;
        }
        if (timer.Interval <= TimeSpan.Zero || timer.Cancelled) return;
        // Fixed rate, but a timer that fell behind (a frozen process) restarts from now rather than firing in a burst.
        var now = Now();
        timer.Deadline = Math.Max(timer.Deadline + timer.Interval.Ticks, now);
        lock (_gate)
        {
            if (_stopping) return;
            Enqueue(timer);
        }
    }

    /// <summary>Stops the thread and runs each timer still waiting once, as Akka's own scheduler does at shutdown.</summary>
    public void Dispose()
    {
        List<Timer> left;
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            _signal.Set();
            left = [];
            while (_due.TryDequeue(out var timer, out _)) left.Add(timer);
            while (_housekeeping.TryDequeue(out var timer, out _)) left.Add(timer);
        }
        if (Thread.CurrentThread != _thread)
        {
            if (_thread.Join(_shutdownTimeout)) _signal.Dispose();
            else Log.Warning("Failed to shutdown scheduler within {0}", _shutdownTimeout);
        }
        foreach (var timer in left)
        {
            if (timer.Cancelled) continue;
            try
            {
                timer.Action.Run();
            }
            catch (SchedulerException)
            {
                // An action that schedules again: nothing runs after shutdown.
            }
            catch (Exception e)
            {
                Log.Error(e, "Exception while executing timer task.");
            }
        }
    }

    private sealed class Timer(IRunnable action, ICancelable? cancelable, TimeSpan interval)
    {
        public IRunnable Action { get; } = action;
        public TimeSpan Interval { get; } = interval;
        public long Deadline { get; set; }
        public long Order { get; set; }
        public bool IsHousekeeping { get; } = interval >= HousekeepingInterval;
        public bool Cancelled => cancelable?.IsCancellationRequested ?? false;
    }

    /// <summary>A scheduled Tell, wrapped like Akka's own so that timer messages do not reset an actor's receive timeout when they should not.</summary>
    private sealed class ScheduledTell(ICanTell receiver, object message, IActorRef sender) : IRunnable
    {
        private readonly object _message = receiver is ActorRefWithCell ? Wrap(message) : message;

        public void Run() => receiver.Tell(_message, sender);

        public void Execute() => Run();

        public override string ToString() => $"[{receiver}.Tell({_message}, {sender})]";

        private static object Wrap(object message) =>
            message is INotInfluenceReceiveTimeout ? new TimerMessageNotInfluencingTimeout(message) : new TimerMessage(message);
    }

    private sealed class TimerMessage(object message) : IScheduledTellMsg
    {
        public object Message { get; } = message;
        public override string ToString() => $"ScheduledTellMsg({Message})";
    }

    private sealed class TimerMessageNotInfluencingTimeout(object message) : IScheduledTellMsg, INotInfluenceReceiveTimeout
    {
        public object Message { get; } = message;
        public override string ToString() => $"ScheduledTellMsgNoInfluenceReceiveTimeout({Message})";
    }
}
