using System.Collections.Concurrent;
using ActorVip.Node.Runtime;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Cluster;

/// <summary>The scheduler that sleeps until the next deadline: order, cancellation, repetition, shutdown, and Akka's timers on it.</summary>
public sealed class ActorLoopSchedulerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ActorLoopScheduler _scheduler = new(ConfigurationFactory.ParseString("akka.scheduler.shutdown-timeout = 5s"), NoLogger.Instance);

    private IActionScheduler Actions => _scheduler;

    public void Dispose() => _scheduler.Dispose();

    [Fact]
    public void A_timer_never_fires_before_its_deadline()
    {
        var fired = new ConcurrentQueue<TimeSpan>();
        var done = new CountdownEvent(3);
        var start = _scheduler.MonotonicClock;
        foreach (var ms in new[] { 30, 5, 60 })
            Actions.ScheduleOnce(TimeSpan.FromMilliseconds(ms),
                () => { fired.Enqueue(_scheduler.MonotonicClock - start - TimeSpan.FromMilliseconds(ms)); done.Signal(); });
        Assert.True(done.Wait(Wait));
        Assert.All(fired, late => Assert.True(late >= TimeSpan.Zero, $"fired {late.TotalMilliseconds} ms before its deadline"));
    }

    [Fact]
    public void Timers_fire_in_deadline_order_and_equal_deadlines_in_the_order_they_were_scheduled()
    {
        var order = new ConcurrentQueue<string>();
        var done = new CountdownEvent(4);
        void At(int ms, string name) => Actions.ScheduleOnce(TimeSpan.FromMilliseconds(ms), () => { order.Enqueue(name); done.Signal(); });
        At(200, "late");
        At(100, "first-of-two");
        At(100, "second-of-two");
        At(20, "early"); // scheduled last, due first: it must wake the thread sleeping towards 100 ms
        Assert.True(done.Wait(Wait));
        Assert.Equal(["early", "first-of-two", "second-of-two", "late"], order.ToArray());
    }

    [Fact]
    public void A_cancelled_timer_does_not_fire()
    {
        var fired = 0;
        var cancelable = new Cancelable(Actions);
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(50), () => Interlocked.Increment(ref fired), cancelable);
        cancelable.Cancel();
        using var after = new ManualResetEventSlim();
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(150), after.Set);
        Assert.True(after.Wait(Wait));
        Assert.Equal(0, fired);
    }

    [Fact]
    public void A_repeated_timer_fires_until_cancelled()
    {
        var fired = 0;
        using var thrice = new ManualResetEventSlim();
        var cancelable = new Cancelable(Actions);
        Actions.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () =>
        {
            if (Interlocked.Increment(ref fired) == 3) thrice.Set();
        }, cancelable);
        Assert.True(thrice.Wait(Wait));
        cancelable.Cancel();
        var atCancel = Volatile.Read(ref fired);
        using var later = new ManualResetEventSlim();
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(100), later.Set);
        Assert.True(later.Wait(Wait));
        Assert.InRange(Volatile.Read(ref fired), atCancel, atCancel + 1); // at most one already taken off the queue
    }

    [Fact]
    public void A_housekeeping_timer_fires_with_the_next_wake_up_within_its_slack()
    {
        // Due at 50 ms and repeating every second: the thread sleeps on to the timer due at 150 ms and fires both then.
        var start = _scheduler.MonotonicClock;
        var housekeeping = TimeSpan.Zero;
        using var done = new ManualResetEventSlim();
        var cancelable = new Cancelable(Actions);
        Actions.ScheduleRepeatedly(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), () =>
        {
            if (housekeeping == TimeSpan.Zero) housekeeping = _scheduler.MonotonicClock - start;
        }, cancelable);
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(150), done.Set);
        Assert.True(done.Wait(Wait));
        cancelable.Cancel();
        Assert.True(housekeeping >= TimeSpan.FromMilliseconds(149), $"fired alone at {housekeeping.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_housekeeping_timer_alone_fires_at_the_end_of_its_slack()
    {
        var start = _scheduler.MonotonicClock;
        var fired = TimeSpan.Zero;
        using var done = new ManualResetEventSlim();
        var cancelable = new Cancelable(Actions);
        Actions.ScheduleRepeatedly(TimeSpan.FromMilliseconds(50), ActorLoopScheduler.HousekeepingInterval, () =>
        {
            if (fired != TimeSpan.Zero) return;
            fired = _scheduler.MonotonicClock - start;
            done.Set();
        }, cancelable);
        Assert.True(done.Wait(Wait));
        cancelable.Cancel();
        // Nothing else woke the thread: the timer due at 50 ms waited out its slack.
        Assert.True(fired >= TimeSpan.FromMilliseconds(49) + ActorLoopScheduler.HousekeepingSlack, $"fired at {fired.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_failing_action_does_not_stop_the_timers_after_it()
    {
        using var after = new ManualResetEventSlim();
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(5), () => throw new InvalidOperationException("boom"));
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(20), after.Set);
        Assert.True(after.Wait(Wait));
    }

    [Fact]
    public void Shutdown_runs_each_waiting_timer_once_and_refuses_new_ones()
    {
        var ran = 0;
        Actions.ScheduleOnce(TimeSpan.FromHours(1), () => Interlocked.Increment(ref ran));
        var cancelled = new Cancelable(Actions);
        Actions.ScheduleOnce(TimeSpan.FromHours(1), () => Interlocked.Increment(ref ran), cancelled);
        cancelled.Cancel();
        _scheduler.Dispose();
        Assert.Equal(1, ran);
        Assert.Throws<SchedulerException>(() => Actions.ScheduleOnce(TimeSpan.Zero, () => { }));
    }

    [Fact]
    public void Posted_work_runs_on_the_timer_thread_in_the_order_posted()
    {
        var ran = new ConcurrentQueue<(int Item, bool OnLoop)>();
        var done = new CountdownEvent(100);
        for (var i = 0; i < 100; i++)
        {
            var item = i;
            _scheduler.Execute(new ActionRunnable(() => { ran.Enqueue((item, _scheduler.IsLoopThread)); done.Signal(); }));
        }
        Assert.True(done.Wait(Wait));
        Assert.Equal(Enumerable.Range(0, 100), ran.Select(r => r.Item));
        Assert.All(ran, r => Assert.True(r.OnLoop));
    }

    [Fact]
    public void Posted_work_wakes_a_thread_asleep_towards_a_far_deadline_and_timers_still_fire()
    {
        Actions.ScheduleOnce(TimeSpan.FromMinutes(10), () => { });
        using var ran = new ManualResetEventSlim();
        _scheduler.Execute(new ActionRunnable(ran.Set));
        Assert.True(ran.Wait(TimeSpan.FromSeconds(2)), "work waited for the timer's deadline");
        using var fired = new ManualResetEventSlim();
        Actions.ScheduleOnce(TimeSpan.FromMilliseconds(20), fired.Set);
        Assert.True(fired.Wait(Wait));
    }

    [Fact]
    public void Work_that_throws_does_not_stop_the_loop()
    {
        _scheduler.Execute(new ActionRunnable(() => throw new InvalidOperationException("boom")));
        using var ran = new ManualResetEventSlim();
        _scheduler.Execute(new ActionRunnable(ran.Set));
        Assert.True(ran.Wait(Wait));
    }

    [Fact]
    public void Work_held_up_behind_a_long_task_is_a_stall_except_within_the_start_up_grace()
    {
        Assert.Equal(1, StallsAfterABlock("actorvip.actor-loop.startup-grace = 0s"));
        Assert.Equal(0, StallsAfterABlock("actorvip.actor-loop.startup-grace = 1h"));
    }

    private static long StallsAfterABlock(string config)
    {
        using var scheduler = new ActorLoopScheduler(ConfigurationFactory.ParseString(config), NoLogger.Instance);
        using var done = new ManualResetEventSlim();
        scheduler.Execute(new ActionRunnable(() => Thread.Sleep(scheduler.StallThreshold * 2)));
        scheduler.Execute(new ActionRunnable(done.Set));
        Assert.True(done.Wait(Wait));
        return scheduler.Stalls.Count;
    }

    [Fact]
    public void Work_posted_after_shutdown_still_runs_on_the_thread_pool()
    {
        _scheduler.Dispose();
        using var ran = new ManualResetEventSlim();
        var onLoop = true;
        _scheduler.Execute(new ActionRunnable(() => { onLoop = _scheduler.IsLoopThread; ran.Set(); }));
        Assert.True(ran.Wait(Wait));
        Assert.False(onLoop);
    }
}

/// <summary>An actor system on the actor loop (reference.conf's dispatchers): actors run on the scheduler's thread,
/// the blocking-io dispatcher stays on the pool, and a system with a loop executor but without the deadline scheduler does not start.</summary>
public sealed class ActorLoopSystemTests() : TestKit(ConfigurationFactory.ParseString(
    """
    akka.scheduler.implementation = "ActorVip.Node.Runtime.ActorLoopScheduler, actorvip"
    akka.actor.default-dispatcher.executor = "ActorVip.Node.Runtime.ActorLoopExecutor, actorvip"
    akka.actor.internal-dispatcher.executor = "ActorVip.Node.Runtime.ActorLoopExecutor, actorvip"
    """))
{
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => ReceiveAny(_ => Sender.Tell(((ActorLoopScheduler)Context.System.Scheduler).IsLoopThread));
    }

    [Fact]
    public void Default_dispatcher_actors_run_on_the_loop_and_blocking_io_ones_do_not()
    {
        Sys.ActorOf(Props.Create(() => new WhereAmI())).Tell("where");
        ExpectMsg(true);
        Sys.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher("akka.actor.default-blocking-io-dispatcher")).Tell("where");
        ExpectMsg(false);
    }

    [Fact]
    public void A_chain_of_actors_answers_across_the_loop()
    {
        var last = TestActor;
        for (var i = 0; i < 20; i++)
        {
            var next = last;
            last = Sys.ActorOf(Props.Create(() => new Forward(next)));
        }
        for (var i = 0; i < 50; i++) last.Tell(i);
        for (var i = 0; i < 50; i++) ExpectMsg(i);
    }

    private sealed class Forward : ReceiveActor
    {
        public Forward(IActorRef next) => ReceiveAny(m => next.Forward(m));
    }

    [Fact]
    public void The_loop_executor_needs_the_deadline_scheduler()
    {
        var config = ConfigurationFactory.ParseString(
            """akka.actor.default-dispatcher.executor = "ActorVip.Node.Runtime.ActorLoopExecutor, actorvip" """);
        // Akka logs the executor's reason (a ConfigurationException naming akka.scheduler.implementation) and refuses to start.
        Assert.ThrowsAny<Exception>(() => ActorSystem.Create("no-loop", config).Dispose());
    }
}

/// <summary>An actor system running on the deadline scheduler: scheduled tells arrive unwrapped, and actor timers work.</summary>
public sealed class ActorLoopSchedulerSystemTests() : TestKit(ConfigurationFactory.ParseString(
    """akka.scheduler.implementation = "ActorVip.Node.Runtime.ActorLoopScheduler, actorvip" """))
{
    private sealed class Ticking : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public Ticking(IActorRef probe)
        {
            var ticks = 0;
            Receive<string>(_ =>
            {
                probe.Tell(++ticks);
                if (ticks == 3) Timers.Cancel("tick");
            });
        }

        protected override void PreStart() => Timers.StartPeriodicTimer("tick", "tick", TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public void The_system_uses_it_and_scheduled_messages_arrive_as_sent()
    {
        Assert.IsType<ActorLoopScheduler>(Sys.Scheduler);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "hello", ActorRefs.NoSender);
        ExpectMsg("hello");
    }

    [Fact]
    public void Actor_timers_fire_periodically_and_stop_when_cancelled()
    {
        Sys.ActorOf(Props.Create(() => new Ticking(TestActor)));
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectMsg(3);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
