using ActorVip.Cluster.Ownership;
using static ActorVip.Tests.Ownership.Ms;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>Reports to health: move-after 3000 ms, expiry 1000 ms (reports come every few hundred ms).</summary>
public class BackendHealthBookTests
{
    private static BackendHealth After(string reports, double askAt)
    {
        var book = new BackendHealthBook(At(3000), At(1000));
        // "ms:h" healthy or "ms:u" unhealthy, space separated, in time order.
        foreach (var report in reports.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = report.Split(':');
            book.Record(N1, parts[1] == "h", At(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return book.Of(N1, At(askAt));
    }

    [Theory]
    [InlineData("", 0, BackendHealth.Unknown)]
    [InlineData("0:h", 500, BackendHealth.Healthy)]
    [InlineData("0:h", 1500, BackendHealth.Unknown)]                                  // expired: no longer counts
    [InlineData("0:u 1000:u 2000:u", 2500, BackendHealth.Unhealthy)]                  // unhealthy for 2.5 s
    [InlineData("0:u 1000:u 2000:u 3000:u", 3000, BackendHealth.Failing)]             // unhealthy since 0 for 3 s
    [InlineData("0:u 1000:u 1500:h 2000:u 3000:u", 3500, BackendHealth.Unhealthy)]    // a healthy report restarts the hold
    [InlineData("0:u 1000:u 2000:u 3000:u", 4500, BackendHealth.Unknown)]             // a failing node that went silent is not known
    [InlineData("0:u 2500:u 3500:u", 3500, BackendHealth.Unhealthy)]                  // a gap beyond expiry restarts the hold
    public void Reports_become_health_with_hysteresis_and_expiry(string reports, double askAt, BackendHealth expected) =>
        Assert.Equal(expected, After(reports, askAt));

    [Fact]
    public void Nodes_are_kept_apart()
    {
        var book = new BackendHealthBook(At(0), At(1000));
        book.Record(N1, false, At(0));
        book.Record(N2, true, At(0));
        Assert.Equal(BackendHealth.Failing, book.Of(N1, At(10)));
        Assert.Equal(BackendHealth.Healthy, book.Of(N2, At(10)));
        Assert.Equal(BackendHealth.Unknown, book.Of(N3, At(10)));
    }
}
