using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class LeaseTimingsTests
{
    [Theory]
    [InlineData(600, 150, 200, 950, 800)]
    [InlineData(600, 150, 20, 770, 620)]
    [InlineData(3000, 1000, 500, 4500, 3500)]
    public void Failover_and_quiet_period_follow_from_the_settings(int lease, int renew, int margin, int failover, int quiet)
    {
        var s = new LeaseSettings(3, Ms.At(lease), Ms.At(renew), Ms.At(margin));
        Assert.Equal(Ms.At(failover), LeaseTimings.ExpectedCrashFailover(s));
        Assert.Equal(Ms.At(quiet), LeaseTimings.VoterQuietPeriod(s));
    }

    [Theory]
    [InlineData(600, 200, 1.0 / 7)]
    [InlineData(600, 20, 1.0 / 61)] // the floor, lease.margin = 20ms
    [InlineData(1000, 1000, 1.0 / 3)]
    public void Max_clock_rate_drift_is_margin_over_two_lease_times_plus_margin(int lease, int margin, double expected)
    {
        var s = new LeaseSettings(3, Ms.At(lease), Ms.At(100), Ms.At(margin));
        var drift = LeaseTimings.MaxClockRateDrift(s);
        Assert.Equal(expected, drift, 12);
        // At exactly that drift the slow owner's lease ends when the fast voter's promise does.
        Assert.Equal(lease * (1 + drift), (lease + margin) * (1 - drift), 9);
    }

    [Theory]
    [InlineData(600, 150, 2)]
    [InlineData(600, 100, 4)]
    [InlineData(600, 299, 1)]
    [InlineData(601, 150, 3)]
    public void Lost_renewals_tolerated_in_a_row(int lease, int renew, int lost)
    {
        Assert.Equal(lost, LeaseTimings.TolerableLostRenewals(new LeaseSettings(3, Ms.At(lease), Ms.At(renew))));
    }
}
