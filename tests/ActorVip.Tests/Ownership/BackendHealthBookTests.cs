using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.Ms;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>Reports to health: move-after 3000 ms, expiry 1000 ms (reports come every few hundred ms).</summary>
public class BackendHealthBookTests
{
    private static BackendHealth After(string reports, double askAt) => Book(reports).Of(N1, At(askAt));

    private static BackendHealthBook Book(string reports)
    {
        var book = new BackendHealthBook(At(3000), At(1000));
        // "ms:h" healthy or "ms:u" unhealthy, space separated, in time order.
        foreach (var report in reports.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = report.Split(':');
            book.Record(N1, parts[1] == "h", At(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return book;
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

    [Theory]
    [InlineData("0:h", 500)]                   // healthy until the report expires
    [InlineData("0:u 1000:u", 1500)]           // the last report expires before the hold ends
    [InlineData("0:u 1000:u 2000:u", 2500)]    // the hold ends (failing) as the last report expires
    [InlineData("0:u 1000:u 1500:h", 1600)]
    public void The_next_change_is_the_first_moment_health_differs_from_now(string reports, double now)
    {
        var book = Book(reports);
        var next = book.NextChange(At(now));
        Assert.NotNull(next);
        Assert.Equal(book.Of(N1, At(now)), book.Of(N1, next.Value - TimeSpan.FromTicks(1)));
        Assert.NotEqual(book.Of(N1, At(now)), book.Of(N1, next.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0:h")]
    [InlineData("0:u 1000:u")]
    public void Health_that_no_longer_changes_by_itself_has_no_next_change(string reports) =>
        Assert.Null(Book(reports).NextChange(At(5000)));

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
