using ActorVip.Node.Hosting;

namespace ActorVip.Tests.Deploy;

/// <summary>When WATCHDOG=1 goes to systemd, and how often.</summary>
public class WatchdogPolicyTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(3);

    public static TheoryData<bool, bool, bool, TimeSpan?, bool, string> Cases => new()
    {
        // ready, stopping, terminated, ping round trip, notify?, why
        { true, false, false, Quick, true, "joined, running, agent answers" },
        { true, false, false, TimeSpan.FromSeconds(1), true, "an answer exactly at the timeout still counts" },
        { true, false, false, TimeSpan.FromMilliseconds(1001), false, "the agent answered, but later than the ping timeout" },
        { true, false, false, null, false, "the agent did not answer" },
        { true, false, true, Quick, false, "the actor system is gone" },
        { true, false, true, null, false, "the actor system is gone and nobody answers" },
        { false, false, false, Quick, false, "not joined yet: systemd arms the watchdog only after READY=1" },
        { true, true, false, Quick, false, "a stop began: a hung stop must not look healthy" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Watchdog_is_notified_only_while_the_node_is_healthy(bool ready, bool stopping, bool terminated, TimeSpan? rtt, bool expected, string why)
    {
        Assert.True(expected == WatchdogPolicy.ShouldNotify(new NodeHealth(ready, stopping, terminated, rtt)), why);
    }

    [Theory]
    [InlineData("5000000", null, 4242, 2500.0)]
    [InlineData("5000000", "", 4242, 2500.0)]
    [InlineData("5000000", "4242", 4242, 2500.0)]
    [InlineData("3", null, 4242, 0.0015)]
    [InlineData("5000000", "4243", 4242, null)]
    [InlineData("5000000", "x", 4242, null)]
    [InlineData(null, null, 4242, null)]
    [InlineData("", null, 4242, null)]
    [InlineData("0", null, 4242, null)]
    [InlineData("-5", null, 4242, null)]
    [InlineData("5s", null, 4242, null)]
    public void The_interval_is_half_of_watchdog_usec_for_this_process_only(string? usec, string? pid, int ownPid, double? expectedMs)
    {
        var interval = WatchdogPolicy.Interval(usec, pid, ownPid);
        Assert.Equal(expectedMs, interval?.TotalMilliseconds);
    }
}
