using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>The allocator keeps a node's health-check report for a bounded time, so that a dead node's last word does not linger.</summary>
public class VipHealthBookTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);

    [Fact]
    public void A_report_counts_until_its_expiry_and_is_unknown_after_it()
    {
        var book = new VipHealthBook();
        book.Record(new VipHealthReport(N1, [new VipHealthEntry(Vip, VipHealth.Healthy, ReleaseWhenNoneHealthy: true)]), T0);

        var fresh = book.View(T0 + VipHealthBook.Expiry);
        Assert.True(fresh.Tracks(Vip));
        Assert.True(fresh.Releases(Vip));
        Assert.Equal(VipHealth.Healthy, fresh.Of(Vip, N1));
        Assert.Equal(VipHealth.Unknown, fresh.Of(Vip, N2));

        var stale = book.View(T0 + VipHealthBook.Expiry + TimeSpan.FromTicks(1));
        Assert.False(stale.Tracks(Vip));
        Assert.Equal(VipHealth.Unknown, stale.Of(Vip, N1));
        Assert.Equal(T0 + VipHealthBook.Expiry + TimeSpan.FromTicks(1), book.NextChange(T0));
    }

    [Fact]
    public void A_newer_report_of_a_node_replaces_its_older_one_and_changes_the_signature()
    {
        var book = new VipHealthBook();
        book.Record(new VipHealthReport(N1, [new VipHealthEntry(Vip, VipHealth.Healthy)]), T0);
        var before = book.View(T0).Signature();
        book.Record(new VipHealthReport(N1, [new VipHealthEntry(Vip, VipHealth.Failing)]), T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(VipHealth.Failing, book.View(T0 + TimeSpan.FromSeconds(1)).Of(Vip, N1));
        Assert.NotEqual(before, book.View(T0 + TimeSpan.FromSeconds(1)).Signature());
    }
}
