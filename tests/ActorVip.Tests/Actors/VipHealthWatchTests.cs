using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Logging;
using Akka.Event;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Actors;

/// <summary>
/// VipHealthWatch (issue 14 §1): runs a VIP's checks with rise/fall and reports the verdict to the allocator (a probe
/// here), unknown until settled, then healthy or failing as the (fake) probe answers; re-sent without a change.
/// </summary>
public class VipHealthWatchTests : TestKit
{
    private static readonly NodeId Self = new("192.0.2.11:4053");

    private sealed class FakeProbe : IHealthProbe
    {
        public volatile bool Passes = true;

        public Task<bool> CheckAsync(Backend backend, CancellationToken cancel) => Task.FromResult(Passes);
    }

    private static VipConfig Tracked(string vip, bool release = false, int rise = 2, int fall = 2) => new(VipAddress.Parse(vip), [],
        [new VipHealthCheck(HealthSettings.Default with { Interval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromMilliseconds(20),
            Rise = rise, Fall = fall, Port = 6443 }, System.Net.IPAddress.Loopback, "", [])], release);

    [Fact]
    public void A_passing_check_reports_unknown_then_healthy_and_a_failing_one_failing()
    {
        var probe = new FakeProbe();
        var allocator = CreateTestProbe();
        Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100", release: true)], (_, _) => probe, allocator));
        Assert.Equal(new VipHealthEntry("192.0.2.100", VipHealth.Unknown, true), NextEntry(allocator));
        Assert.Equal(new VipHealthEntry("192.0.2.100", VipHealth.Healthy, true), NextEntry(allocator));

        probe.Passes = false;
        Assert.Equal(VipHealth.Failing, NextEntry(allocator).Health);
        probe.Passes = true;
        Assert.Equal(VipHealth.Healthy, NextEntry(allocator).Health);
    }

    [Fact]
    public void A_check_failing_from_the_start_reports_failing_after_fall_and_the_report_is_resent_unchanged()
    {
        var probe = new FakeProbe { Passes = false };
        var allocator = CreateTestProbe();
        Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100", fall: 3)], (_, _) => probe, allocator));
        Assert.Equal(VipHealth.Unknown, NextEntry(allocator).Health);
        Assert.Equal(new VipHealthEntry("192.0.2.100", VipHealth.Failing), NextEntry(allocator));
        // No change: the same report again within the re-send interval, for a new allocator and the 6.5 s book.
        var again = allocator.ExpectMsg<VipHealthReport>(VipHealthWatch.ResendInterval + TimeSpan.FromSeconds(1));
        Assert.Equal(VipHealth.Failing, Assert.Single(again.Vips).Health);
    }

    [Fact]
    public void A_probe_that_throws_counts_as_failed()
    {
        var allocator = CreateTestProbe();
        Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100")], (_, _) => new ThrowingProbe(), allocator));
        Assert.Equal(VipHealth.Unknown, NextEntry(allocator).Health);
        Assert.Equal(VipHealth.Failing, NextEntry(allocator).Health);
    }

    /// <summary>
    /// The line an operator reads when a check turns: the log template's `vip={N}` becomes a field of its own, so it stands at the
    /// end; in the middle it left "health check tcp 127.0.0.1:6443 of is passing" as the message.
    /// </summary>
    [Fact]
    public void A_check_turning_logs_one_readable_line_with_the_vip_as_a_field()
    {
        var probe = new FakeProbe();
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs, typeof(Info));
        Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100")], (_, _) => probe, CreateTestProbe()));
        var line = logs.FishForMessage<Info>(e => e.Message.ToString()!.Contains("health check", StringComparison.Ordinal), TimeSpan.FromSeconds(3));
        Assert.EndsWith("msg=\"health check tcp 127.0.0.1:6443 is passing (2 in a row)\" vip=192.0.2.100", LogLine.Format(line, LogFormat.Logfmt));
    }

    /// <summary>
    /// A reload (issue 14 §5) hands the watch a new list: the VIP whose checks did not change keeps its verdict (healthy, not back to
    /// unknown, which would let the allocator prefer another node), an added VIP starts unknown and settles, a removed one is no
    /// longer reported and its probe is disposed.
    /// </summary>
    [Fact]
    public void A_reload_keeps_the_verdict_of_an_unchanged_check_starts_the_added_and_stops_the_removed()
    {
        var probes = new List<CountingProbe>();
        var allocator = CreateTestProbe();
        var watch = Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100"), Tracked("192.0.2.101")],
            (_, _) => { var p = new CountingProbe(); lock (probes) probes.Add(p); return p; }, allocator));
        allocator.FishForMessage<VipHealthReport>(r => r.Vips.All(e => e.Health == VipHealth.Healthy), TimeSpan.FromSeconds(3));

        watch.Tell(new VipHealthWatch.Retarget([Tracked("192.0.2.100"), Tracked("192.0.2.102")]), TestActor);

        var first = allocator.ExpectMsg<VipHealthReport>(TimeSpan.FromSeconds(3));
        Assert.Equal([new VipHealthEntry("192.0.2.100", VipHealth.Healthy), new VipHealthEntry("192.0.2.102", VipHealth.Unknown)], first.Vips);
        var settled = allocator.FishForMessage<VipHealthReport>(r => r.Vips.All(e => e.Health == VipHealth.Healthy), TimeSpan.FromSeconds(3));
        Assert.Equal(["192.0.2.100", "192.0.2.102"], settled.Vips.Select(e => e.Vip));
        lock (probes)
        {
            Assert.Equal(3, probes.Count);
            Assert.True(probes[1].Disposed, "the removed VIP's probe was not disposed");
            Assert.False(probes[0].Disposed || probes[2].Disposed);
        }
        // The removed check runs no more.
        var calls = probes[1].Calls;
        Thread.Sleep(300);
        Assert.Equal(calls, probes[1].Calls);
    }

    [Fact]
    public void A_reload_to_no_tracked_vip_reports_none()
    {
        var allocator = CreateTestProbe();
        var watch = Sys.ActorOf(VipHealthWatch.Props(Self, [Tracked("192.0.2.100")], (_, _) => new FakeProbe(), allocator));
        Assert.Equal(VipHealth.Unknown, NextEntry(allocator).Health);

        watch.Tell(new VipHealthWatch.Retarget([]), TestActor);

        allocator.FishForMessage<VipHealthReport>(r => r.Vips.Count == 0, TimeSpan.FromSeconds(3));
    }

    private sealed class CountingProbe : IHealthProbe, IDisposable
    {
        private int _calls;

        public volatile bool Disposed;

        public int Calls => Volatile.Read(ref _calls);

        public Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(true);
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class ThrowingProbe : IHealthProbe
    {
        public Task<bool> CheckAsync(Backend backend, CancellationToken cancel) => throw new InvalidOperationException("boom");
    }

    private static VipHealthEntry NextEntry(Akka.TestKit.TestProbe allocator)
    {
        var report = allocator.ExpectMsg<VipHealthReport>(TimeSpan.FromSeconds(3));
        Assert.Equal(Self, report.Node);
        return Assert.Single(report.Vips);
    }

    [Theory]
    [InlineData("PPP", 2, 2, true)]
    [InlineData("FF", 2, 2, false)]
    [InlineData("PFPF", 2, 2, null)]
    [InlineData("PPFP", 2, 2, true)]
    [InlineData("PPFF", 2, 2, false)]
    [InlineData("F", 2, 1, false)]
    public void A_verdict_is_unknown_until_rise_passes_or_fall_failures_in_a_row(string results, int rise, int fall, bool? expected)
    {
        var verdict = CheckVerdict.Unknown;
        foreach (var r in results) verdict = verdict.Next(r == 'P', rise, fall);
        Assert.Equal(expected, verdict.Healthy);
    }
}
