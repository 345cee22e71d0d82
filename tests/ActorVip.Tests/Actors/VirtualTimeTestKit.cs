using ActorVip.Ownership;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A TestKit on virtual time: Akka's test scheduler drives every timer, <see cref="Clock"/> (the monotonic clock the
/// lease reads) follows it, and the actors under /user (three levels deep) run on the calling thread. Advancing the
/// time therefore runs everything it causes before it returns, and a test waits on virtual time, not on the machine.
/// </summary>
/// <param name="config">More configuration first (it wins), e.g. a deployment that lets some actors run asynchronously.</param>
public abstract class VirtualTimeTestKit(string config = "") : TestKit(config +
    """

    akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
    akka.actor.deployment {
      "/*".dispatcher = akka.test.calling-thread-dispatcher
      "/*/*".dispatcher = akka.test.calling-thread-dispatcher
      "/*/*/*".dispatcher = akka.test.calling-thread-dispatcher
    }
    """)
{
    private VirtualClock? _clock;

    protected TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>The monotonic clock of the actors under test: the test scheduler's time since the first use.</summary>
    protected IMonotonicClock Clock => _clock ??= new VirtualClock(Scheduler);

    /// <summary>
    /// Waits (in real time) until top-level actors have started: Akka starts them on the guardian's thread, and only from
    /// then on do they run on the caller's.
    /// </summary>
    protected void Started(params IActorRef[] actors)
    {
        foreach (var actor in actors)
        {
            actor.Tell(new Identify(actor.Path.Name));
            ExpectMsg<ActorIdentity>(i => Equals(i.MessageId, actor.Path.Name));
        }
    }

    /// <summary>
    /// As <see cref="AdvanceUntil"/>, for a condition that also needs an actor on the blocking pool (an IpvsActor), which
    /// runs on a thread of its own, not the caller's: virtual time moves on up to <paramref name="bound"/>, then the test
    /// waits up to 10 s of real time without moving it, so a loaded machine delays that thread without failing the test.
    /// What depends on virtual time alone still fails: nothing moves it during the wait.
    /// </summary>
    protected void AdvanceUntilPoolDone(Func<bool> condition, TimeSpan bound)
    {
        if (Advance(condition, bound, TimeSpan.FromMilliseconds(10)) is not null) return;
        AwaitCondition(condition, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10),
            $"not within {bound.TotalMilliseconds} ms of virtual time and 10 s of real time");
    }

    /// <summary>
    /// Moves virtual time on in steps of <paramref name="step"/> (10 ms unless given) until <paramref name="condition"/>
    /// holds; fails if it does not within <paramref name="bound"/>. Returns the virtual time it took.
    /// </summary>
    protected TimeSpan AdvanceUntil(Func<bool> condition, TimeSpan bound, TimeSpan? step = null) =>
        Advance(condition, bound, step ?? TimeSpan.FromMilliseconds(10)) ??
        throw new Xunit.Sdk.XunitException($"not within {bound.TotalMilliseconds} ms of virtual time");

    /// <summary>Moves virtual time on by <paramref name="step"/> until the condition holds (the time it took) or the bound is reached (null).</summary>
    private TimeSpan? Advance(Func<bool> condition, TimeSpan bound, TimeSpan step)
    {
        var elapsed = TimeSpan.Zero;
        while (!condition())
        {
            if (elapsed >= bound) return null;
            Scheduler.Advance(step);
            elapsed += step;
        }
        return elapsed;
    }

    private sealed class VirtualClock(TestScheduler scheduler) : IMonotonicClock
    {
        private readonly DateTimeOffset _origin = scheduler.Now;

        public TimeSpan Now => scheduler.Now - _origin;
    }
}
