using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;
using ActorVip.Cluster.Time;

namespace ActorVip.Tests.Cluster;

/// <summary>The scheduler that sleeps until the next deadline: order, cancellation, repetition, shutdown, and Akka's timers on it.</summary>
public sealed class DeadlineSchedulerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly DeadlineScheduler _scheduler = new(ConfigurationFactory.ParseString("akka.scheduler.shutdown-timeout = 5s"), NoLogger.Instance);

    private IActionScheduler Actions => _scheduler;

    public void Dispose() => _scheduler.Dispose();

    [Fact]
    public void A_timer_never_fires_before_its_deadline()
    {
        var fired = new ConcurrentQueue<TimeSpan>();
        var done = new CountdownEvent(3);
        var start = _scheduler.MonotonicClock;
        foreach (var ms in new[] { 30, 5, 60 })
            Actions.ScheduleOnce(TimeSpan.FromMilliseconds(ms), () => { fired.Enqueue(_scheduler.MonotonicClock - start - TimeSpan.FromMilliseconds(ms)); done.Signal(); });
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
}

/// <summary>An actor system running on the deadline scheduler: scheduled tells arrive unwrapped, and actor timers work.</summary>
public sealed class DeadlineSchedulerSystemTests() : TestKit(ConfigurationFactory.ParseString(
    """akka.scheduler.implementation = "ActorVip.Cluster.Time.DeadlineScheduler, ActorVip.Cluster" """))
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
        Assert.IsType<DeadlineScheduler>(Sys.Scheduler);
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
