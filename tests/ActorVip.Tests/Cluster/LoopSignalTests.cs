using System.Diagnostics;
using ActorVip.Node.Runtime;

namespace ActorVip.Tests.Cluster;

/// <summary>The eventfd the actor loop sleeps on: a signal is kept until the next wait, a wait times out, and a closed one ignores signals.</summary>
public sealed class LoopSignalTests : IDisposable
{
    private readonly LoopSignal _signal = new();

    public void Dispose() => _signal.Dispose();

    [Fact]
    public void A_signal_given_before_the_wait_is_kept_and_cleared_by_it()
    {
        _signal.Set();
        _signal.Set();
        var clock = Stopwatch.StartNew();
        _signal.Wait(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the kept signal did not end the wait ({clock.ElapsedMilliseconds} ms)");
        // Both signals were consumed by that one wait: the next one sleeps its whole timeout.
        clock.Restart();
        _signal.Wait(TimeSpan.FromMilliseconds(50));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(45), $"a cleared signal ended the wait after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void A_signal_from_another_thread_wakes_an_endless_wait()
    {
        var woke = new ManualResetEventSlim();
        var sleeper = new Thread(() => { _signal.Wait(Timeout.InfiniteTimeSpan); woke.Set(); }) { IsBackground = true };
        sleeper.Start();
        Assert.False(woke.Wait(TimeSpan.FromMilliseconds(100)), "the wait returned without a signal");
        _signal.Set();
        Assert.True(woke.Wait(TimeSpan.FromSeconds(10)), "the signal did not wake the waiting thread");
    }

    [Fact]
    public void Signals_after_dispose_do_nothing()
    {
        _signal.Dispose();
        _signal.Set();
        _signal.Dispose();
    }
}
