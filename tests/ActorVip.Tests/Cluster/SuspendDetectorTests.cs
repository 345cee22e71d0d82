using ActorVip.Node.Runtime;
using ActorVip.Ownership;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// Suspend detection (issue 13 §2.5): CLOCK_BOOTTIME against CLOCK_MONOTONIC, judged on given readings; and the lease
/// clock, which is CLOCK_BOOTTIME so that a lease counts the time the host was suspended.
/// </summary>
public sealed class SuspendDetectorTests
{
    private readonly SuspendDetector _detector = new(SuspendDetector.DefaultMinimum);

    private static long Ms(double ms) => TimeSpan.FromMilliseconds(ms).Ticks;

    [Fact]
    public void Clocks_that_advance_together_are_no_suspension()
    {
        // The difference at the start is whatever the host slept before this process: it is the baseline, not a suspension.
        Assert.Null(_detector.Observe(Ms(90_000 + 1_000), Ms(1_000)));
        Assert.Null(_detector.Observe(Ms(90_000 + 1_250), Ms(1_250)));
        Assert.Null(_detector.Observe(Ms(90_000 + 9_000), Ms(9_000)));
        Assert.Equal(0, _detector.Count);
    }

    [Fact]
    public void Boot_time_running_ahead_of_monotonic_is_a_suspension_of_that_length_reported_once()
    {
        _detector.Observe(Ms(1_000), Ms(1_000));
        Assert.Equal(TimeSpan.FromSeconds(30), _detector.Observe(Ms(31_250), Ms(1_250)));
        Assert.Null(_detector.Observe(Ms(31_500), Ms(1_500)));
        Assert.Equal(TimeSpan.FromSeconds(2), _detector.Observe(Ms(33_750), Ms(1_750)));
        Assert.Equal(2, _detector.Count);
    }

    [Fact]
    public void A_delayed_second_read_is_no_suspension_and_does_not_lower_the_baseline()
    {
        _detector.Observe(Ms(1_000), Ms(1_000));
        // Preempted between the two reads for 80 ms: the difference reads 80 ms short.
        Assert.Null(_detector.Observe(Ms(2_000), Ms(2_080)));
        // A normal read afterwards is measured against the true baseline, not the short one.
        Assert.Null(_detector.Observe(Ms(3_000), Ms(3_000)));
        Assert.Equal(0, _detector.Count);
    }

    [Fact]
    public void Growth_below_the_minimum_is_not_reported()
    {
        _detector.Observe(Ms(1_000), Ms(1_000));
        Assert.Null(_detector.Observe(Ms(2_049), Ms(2_000)));
        Assert.Equal(0, _detector.Count);
    }

    [Fact]
    public void The_lease_clock_is_boot_time()
    {
        // /proc/uptime is CLOCK_BOOTTIME in hundredths of a second. On a host never suspended it equals CLOCK_MONOTONIC, so
        // this shows which clock is read only where the two differ; LinuxClocks names it either way.
        Assert.True(LinuxClocks.HasBootTime, "CLOCK_BOOTTIME cannot be read on this host");
        var uptime = TimeSpan.FromSeconds(double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        var now = MonotonicClock.Instance.Now;
        Assert.InRange(now - uptime, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        var boot = LinuxClocks.BootTimeTicks();
        var mono = LinuxClocks.MonotonicTicks();
        Assert.True(boot >= mono - Ms(1), $"CLOCK_BOOTTIME {boot} behind CLOCK_MONOTONIC {mono}");
    }
}
