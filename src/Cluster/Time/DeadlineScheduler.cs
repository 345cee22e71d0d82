using System.Diagnostics;
using Akka.Actor;
using Akka.Actor.Scheduler;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace ActorVip.Cluster.Time;

/// <summary>
/// Akka's scheduler for a node that is idle most of the time: one thread sleeps until the earliest deadline,
/// instead of Akka's hashed wheel that wakes a timer and a pool thread every tick (10 ms: 200 wake-ups a
/// second with nothing due, most of an idle node's CPU). Timers also fire at their deadline, not on the
/// next tick. Selected by akka.scheduler.implementation; Akka constructs it with (Config, ILoggingAdapter).
/// </summary>
public sealed class DeadlineScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    private readonly object _gate = new();
    private readonly PriorityQueue<Timer, (long Deadline, long Order)> _due = new();
    private readonly Thread _thread;
    private readonly TimeSpan _shutdownTimeout;
    private long _order;
    private bool _stopping;

    public DeadlineScheduler(Config scheduler, ILoggingAdapter log) : base(scheduler, log)
    {
        _shutdownTimeout = SchedulerConfig.GetTimeSpan("akka.scheduler.shutdown-timeout", TimeSpan.FromSeconds(5));
        _thread = new Thread(Run) { IsBackground = true, Name = "akka-scheduler" };
        _thread.Start();
    }

    protected override DateTimeOffset TimeNow => DateTimeOffset.UtcNow;
    public override TimeSpan MonotonicClock => Stopwatch.GetElapsedTime(Started);
    public override TimeSpan HighResMonotonicClock => Stopwatch.GetElapsedTime(Started);

    private static readonly long Started = Stopwatch.GetTimestamp();

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Add(delay, TimeSpan.Zero, new ScheduledTell(receiver, message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
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
        lock (_gate)
        {
            if (_stopping) throw new SchedulerException("cannot enqueue after timer shutdown");
            // Only a deadline earlier than the one the thread sleeps towards needs to wake it.
            var wakeUp = !_due.TryPeek(out _, out var first) || timer.Deadline < first.Deadline;
            Enqueue(timer);
            if (wakeUp) Monitor.Pulse(_gate);
        }
    }

    private void Enqueue(Timer timer) =>
        // Equal deadlines run in the order they were scheduled, like Akka's wheel.
        _due.Enqueue(timer, (timer.Deadline, _order++));

    private static long Now() => Stopwatch.GetElapsedTime(Started).Ticks;

    private void Run()
    {
        var ready = new List<Timer>();
        while (true)
        {
            lock (_gate)
            {
                while (!_stopping && NextWait() is var wait && wait != TimeSpan.Zero)
                    Monitor.Wait(_gate, wait == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Ceiling(Math.Min(wait.TotalMilliseconds, int.MaxValue - 1)));
                if (_stopping) return;
                var now = Now();
                while (_due.TryPeek(out _, out var next) && next.Deadline <= now) ready.Add(_due.Dequeue());
            }
            foreach (var timer in ready) Fire(timer);
            ready.Clear();
        }
    }

    /// <summary>Time until the earliest deadline; infinite with nothing scheduled. Called under the lock.</summary>
    private TimeSpan NextWait() =>
        _due.TryPeek(out _, out var next) ? TimeSpan.FromTicks(Math.Max(0, next.Deadline - Now())) : Timeout.InfiniteTimeSpan;

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
            Monitor.PulseAll(_gate);
            left = [];
            while (_due.TryDequeue(out var timer, out _)) left.Add(timer);
        }
        if (Thread.CurrentThread != _thread && !_thread.Join(_shutdownTimeout))
            Log.Warning("Failed to shutdown scheduler within {0}", _shutdownTimeout);
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
