using ActorVip.Node.Runtime;

namespace ActorVip.Tests.Cluster;

/// <summary>The stall detector's judgement on given times: what counts as a stall, what is one stall, what is logged.</summary>
public sealed class LoopStallDetectorTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(125);
    private readonly LoopStallDetector _detector = new(Threshold, TimeSpan.FromSeconds(10));

    private static long Ms(double ms) => TimeSpan.FromMilliseconds(ms).Ticks;

    [Fact]
    public void The_threshold_is_half_the_renew_interval()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(125), LoopStallDetector.ThresholdFor(TimeSpan.FromMilliseconds(250)));
        Assert.Equal(TimeSpan.FromMilliseconds(50), LoopStallDetector.ThresholdFor(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Work_started_within_the_threshold_is_no_stall_but_its_lateness_is_kept()
    {
        Assert.Null(_detector.Starting(dueAt: Ms(0), now: Ms(1)));
        Assert.Null(_detector.Starting(dueAt: Ms(10), now: Ms(10) + Threshold.Ticks));
        Assert.Equal(new LoopStalls(0, Threshold), _detector.Snapshot);
    }

    [Fact]
    public void A_stall_is_warned_with_its_lateness_and_the_longest_task_before_it()
    {
        var blocker = new object();
        _detector.Ran("short", Ms(2));
        _detector.Ran(blocker, Ms(250));
        _detector.Ran("after", Ms(3));
        var warning = _detector.Starting(dueAt: Ms(0), now: Ms(251));
        Assert.NotNull(warning);
        Assert.Equal(TimeSpan.FromMilliseconds(251), warning.Late);
        Assert.Equal(Threshold, warning.Threshold);
        Assert.Equal(TimeSpan.FromMilliseconds(250), warning.LongestTask);
        Assert.Same(blocker, warning.LongestTaskWhat);
        Assert.Equal(0, warning.Unlogged);
        Assert.Equal(new LoopStalls(1, TimeSpan.FromMilliseconds(251)), _detector.Snapshot);
    }

    [Fact]
    public void Work_that_was_due_when_the_stall_was_noticed_belongs_to_the_same_stall()
    {
        Assert.NotNull(_detector.Starting(dueAt: Ms(0), now: Ms(300)));
        // Posted during the block, started after it: the same stall, however late.
        Assert.Null(_detector.Starting(dueAt: Ms(100), now: Ms(301)));
        Assert.Null(_detector.Starting(dueAt: Ms(-50), now: Ms(302)));
        Assert.Equal(new LoopStalls(1, TimeSpan.FromMilliseconds(352)), _detector.Snapshot);
        // Posted after the loop caught up and started in time: nothing.
        Assert.Null(_detector.Starting(dueAt: Ms(310), now: Ms(311)));
        Assert.Equal(1, _detector.Snapshot.Count);
    }

    [Fact]
    public void A_loop_that_stays_behind_is_one_stall()
    {
        // Each task runs 200 ms, and each next one was posted while the one before ran.
        Assert.NotNull(_detector.Starting(dueAt: Ms(0), now: Ms(200)));
        Assert.Null(_detector.Starting(dueAt: Ms(150), now: Ms(400)));
        Assert.Null(_detector.Starting(dueAt: Ms(350), now: Ms(600)));
        Assert.Equal(1, _detector.Snapshot.Count);
    }

    [Fact]
    public void Later_stalls_count_but_within_the_warning_interval_only_the_next_line_names_them()
    {
        Assert.NotNull(_detector.Starting(dueAt: Ms(0), now: Ms(200)));
        Assert.Null(_detector.Starting(dueAt: Ms(1_000), now: Ms(1_200)));
        _detector.Ran("culprit", Ms(400));
        Assert.Null(_detector.Starting(dueAt: Ms(5_000), now: Ms(5_400)));
        Assert.Equal(3, _detector.Snapshot.Count);
        var next = _detector.Starting(dueAt: Ms(10_300), now: Ms(10_500));
        Assert.NotNull(next);
        Assert.Equal(2, next.Unlogged);
        Assert.Equal("culprit", next.LongestTaskWhat);
        Assert.Equal(new LoopStalls(4, TimeSpan.FromMilliseconds(400)), _detector.Snapshot);
    }

    [Fact]
    public void Nothing_before_the_judging_starts_is_counted_or_warned()
    {
        _detector.JudgeFrom(Ms(30_000));
        Assert.Null(_detector.Starting(dueAt: Ms(0), now: Ms(850)));
        Assert.Null(_detector.Starting(dueAt: Ms(29_000), now: Ms(29_999)));
        Assert.Equal(new LoopStalls(0, TimeSpan.Zero), _detector.Snapshot);
        Assert.NotNull(_detector.Starting(dueAt: Ms(29_900), now: Ms(30_100)));
        Assert.Equal(new LoopStalls(1, TimeSpan.FromMilliseconds(200)), _detector.Snapshot);
    }

    [Fact]
    public void The_longest_task_is_counted_from_the_previous_warning()
    {
        _detector.Ran("first", Ms(500));
        Assert.Same("first", _detector.Starting(dueAt: Ms(0), now: Ms(500))!.LongestTaskWhat);
        // After that warning nothing long ran: a stall of a stopped or starved process names no task.
        var next = _detector.Starting(dueAt: Ms(20_000), now: Ms(20_300));
        Assert.NotNull(next);
        Assert.Null(next.LongestTaskWhat);
        Assert.Equal(TimeSpan.Zero, next.LongestTask);
    }
}
