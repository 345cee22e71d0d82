using ActorVip.Lab.Simulation;

namespace ActorVip.Tests.Simulation;

/// <summary>The checker on hand-made timelines: it must fail on an overlap, or the simulation tests could not fail.</summary>
public sealed class SingleOwnerCheckerTests
{
    private const string Vip = "192.0.2.10";
    private TimeSpan _now;
    private readonly Timeline _timeline;

    public SingleOwnerCheckerTests() => _timeline = new Timeline(() => _now);

    private void At(int ms) => _now = TimeSpan.FromMilliseconds(ms);

    private void Acquire(string node, int fenceMs, int? lifetimeMs = null)
    {
        _timeline.Record(node, Vip, TimelineKind.FenceOwned, lasting: TimeSpan.FromMilliseconds(fenceMs));
        _timeline.Record(node, Vip, TimelineKind.AddressAdded, lasting: lifetimeMs is { } l ? TimeSpan.FromMilliseconds(l) : null);
    }

    private void Install(string node) => _timeline.Record(node, null, TimelineKind.FenceReset);

    private OwnershipReport Check(int horizonMs) => SingleOwnerChecker.Check(_timeline.Events, TimeSpan.FromMilliseconds(horizonMs));

    [Fact]
    public void Two_nodes_holding_at_once_fail_the_check_with_the_overlap_and_the_timeline_around_it()
    {
        Install("n1");
        Install("n2");
        At(100);
        Acquire("n1", 600);
        At(400);
        Acquire("n2", 600);
        At(500);
        _timeline.Record("n1", Vip, TimelineKind.AddressRemoved);

        var report = Check(2000);

        Assert.False(report.SingleOwner);
        var overlap = Assert.Single(report.Overlaps);
        Assert.Equal(TimeSpan.FromMilliseconds(400), overlap.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(500), overlap.End);
        Assert.Contains("n1", overlap.Excerpt);
        Assert.Contains("n2", overlap.Excerpt);
        Assert.Contains("VIOLATED", report.Describe());
    }

    [Fact]
    public void A_crashed_node_whose_address_stays_stops_holding_when_its_fence_element_expires()
    {
        Install("n1");
        Install("n2");
        At(0);
        Acquire("n1", 600);
        At(300);
        _timeline.Record("sim", null, TimelineKind.Fault, "crash n1");
        // n1 is dead: no more events from it, its address stays. n2 acquires just after n1's element expired.
        At(601);
        Acquire("n2", 600);

        var report = Check(1000);

        Assert.True(report.SingleOwner, report.Describe());
        Assert.Contains(report.Holds, h => h is { Node: "n1", Ongoing: false } && h.End == TimeSpan.FromMilliseconds(600));
        var failover = Assert.Single(report.Failovers);
        Assert.Equal("n2", failover.NextHolder);
        Assert.Equal(TimeSpan.FromMilliseconds(301), failover.Time);
        Assert.Equal(TimeSpan.FromMilliseconds(1), report.LongestGap);
    }

    [Fact]
    public void Acquiring_before_the_old_owners_fence_element_expired_is_an_overlap_even_without_a_release_event()
    {
        Install("n1");
        Install("n2");
        Acquire("n1", 600);
        At(599);
        Acquire("n2", 600);

        var overlap = Assert.Single(Check(1000).Overlaps);

        Assert.Equal(TimeSpan.FromMilliseconds(1), overlap.End - overlap.Start);
    }

    [Fact]
    public void Without_a_fence_the_address_alone_is_the_hold_until_its_valid_lifetime_runs_out()
    {
        _timeline.Record("n1", Vip, TimelineKind.AddressAdded, lasting: TimeSpan.FromSeconds(2));
        At(1500);
        _timeline.Record("n2", Vip, TimelineKind.AddressAdded, lasting: TimeSpan.FromSeconds(2));

        var report = Check(5000);

        var overlap = Assert.Single(report.Overlaps);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), overlap.End);
    }

    [Fact]
    public void A_refreshed_fence_keeps_one_hold_and_a_disown_ends_it_at_once()
    {
        Install("n1");
        Acquire("n1", 600);
        for (var t = 150; t <= 900; t += 150)
        {
            At(t);
            _timeline.Record("n1", Vip, TimelineKind.FenceOwned, lasting: TimeSpan.FromMilliseconds(600));
        }
        At(1000);
        _timeline.Record("n1", Vip, TimelineKind.FenceDisowned);

        var hold = Assert.Single(Check(3000).Holds);

        Assert.Equal(TimeSpan.Zero, hold.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), hold.End);
        Assert.Single(Timeline.Condense(_timeline.Events), e => e.Kind == TimelineKind.FenceOwned);
    }
}
