using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class LeaseSettingsTests
{
    [Fact]
    public void Defaults_keep_the_designed_promise_and_stall_tolerance_with_fewer_renewals()
    {
        var s = new LeaseSettings(3);
        Assert.Equal(Ms.At(700), s.LeaseTime);
        Assert.Equal(Ms.At(250), s.RenewInterval);
        Assert.Equal(Ms.At(100), s.Margin);
        // The design's 600/150/200: a promise of 800 ms and renewals that may stall 450 ms.
        Assert.Equal(Ms.At(800), s.PromiseTime);
        Assert.Equal(Ms.At(450), s.LeaseTime - s.RenewInterval);
        Assert.Equal(1, LeaseTimings.TolerableLostRenewals(s));
        Assert.True(LeaseTimings.MaxClockRateDrift(s) > 0.06);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(6, 4)]
    [InlineData(7, 4)]
    [InlineData(8, 5)]
    [InlineData(9, 5)]
    public void Majority_is_of_the_configured_voters(int voters, int majority)
    {
        Assert.Equal(majority, new LeaseSettings(voters).Majority);
    }

    [Theory]
    [InlineData(0, 600, 150, 200, "nodes: 0 is not")]
    [InlineData(10, 600, 150, 200, "nodes: 10 is not")]
    [InlineData(-1, 600, 150, 200, "expected 1 to 9")]
    [InlineData(3, 0, 150, 200, "lease.lease-time: 0ms is too short")]
    [InlineData(3, -5, 150, 200, "lease.lease-time: -5ms is too short")]
    [InlineData(3, 49, 10, 0, "expected at least 50ms")]
    [InlineData(3, 600, 0, 200, "lease.renew-interval: 0ms is not positive")]
    [InlineData(3, 600, 300, 200, "is not less than half of lease.lease-time")]
    [InlineData(3, 700, 350, 100, "is not less than half of lease.lease-time")]
    [InlineData(3, 600, 450, 200, "is not less than half of lease.lease-time")]
    [InlineData(3, 600, 150, -1, "lease.margin: -1ms is too short")]
    [InlineData(3, 600, 150, 0, "lease.margin: 0ms is too short (expected at least 20ms")]
    [InlineData(3, 600, 150, 19, "lease.margin: 19ms is too short")]
    public void Invalid_values_are_refused_with_one_clear_sentence(int voters, int lease, int renew, int margin, string expected)
    {
        var error = LeaseSettings.Validate(voters, Ms.At(lease), Ms.At(renew), Ms.At(margin));
        Assert.NotNull(error);
        Assert.Contains(expected, error);
        var thrown = Assert.Throws<ArgumentException>(() => new LeaseSettings(voters, Ms.At(lease), Ms.At(renew), Ms.At(margin)));
        Assert.Equal(error, thrown.Message);
    }

    [Theory]
    [InlineData(1, 600, 150, 200)]
    [InlineData(9, 600, 150, 200)]
    [InlineData(3, 600, 299, 20)]
    [InlineData(5, 3000, 1000, 500)]
    public void Valid_values_pass(int voters, int lease, int renew, int margin)
    {
        Assert.Null(LeaseSettings.Validate(voters, Ms.At(lease), Ms.At(renew), Ms.At(margin)));
        Assert.Equal(voters, new LeaseSettings(voters, Ms.At(lease), Ms.At(renew), Ms.At(margin)).Voters);
    }
}
