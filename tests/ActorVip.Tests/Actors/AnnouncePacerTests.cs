using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Ownership;

namespace ActorVip.Tests.Actors;

/// <summary>
/// announce.max-per-second (issue 15 §2): a node holding many VIPs spreads their repeated and refreshed announcements, and
/// never holds back a VIP's first one.
/// </summary>
public class AnnouncePacerTests : VirtualTimeTestKit
{
    private sealed class FixedClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(100);
    }

    [Fact]
    public void Reservations_are_spaced_by_the_pace_and_a_free_pacer_sends_at_once()
    {
        var clock = new FixedClock();
        var pacer = new AnnouncePacer(4, clock);
        Assert.Equal([0, 250, 500], new[] { pacer.Reserve(), pacer.Reserve(), pacer.Reserve() }.Select(w => w.TotalMilliseconds));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve());
        Assert.All(Enumerable.Range(0, 100).Select(_ => new AnnouncePacer(0, clock).Reserve()), w => Assert.Equal(TimeSpan.Zero, w));
    }

    /// <summary>
    /// 500 refreshes due together at the default 200 a second: groups of 10 sharing one time, 50 ms apart, so the loop
    /// wakes 50 times instead of 500; still 200 in the first second and 2.5 s in all, as one every 5 ms was.
    /// </summary>
    [Fact]
    public void A_fast_pace_hands_out_slots_in_groups_that_share_a_time()
    {
        var pacer = new AnnouncePacer(200, new FixedClock());
        var waits = Enumerable.Range(0, 500).Select(_ => pacer.Reserve().TotalMilliseconds).ToList();
        Assert.Equal((TimeSpan.FromMilliseconds(50), 10), (pacer.Interval, pacer.GroupSize));
        var groups = waits.GroupBy(w => w).ToList();
        Assert.Equal(50, groups.Count);
        Assert.All(groups, g => Assert.Equal(10, g.Count()));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 50.0), groups.Select(g => g.Key));
        Assert.Equal(200, waits.Count(w => w < 1000));
    }

    [Theory]
    [InlineData(30, 50, 1)]
    [InlineData(20, 50, 1)]
    [InlineData(5, 200, 1)]
    [InlineData(100_000, 50, 5000)]
    public void The_group_never_exceeds_the_pace(int perSecond, int intervalMs, int size)
    {
        var pacer = new AnnouncePacer(perSecond, new FixedClock());
        Assert.Equal((TimeSpan.FromMilliseconds(intervalMs), size), (pacer.Interval, pacer.GroupSize));
        Assert.True(size * 1000.0 / intervalMs <= perSecond);
    }

    [Theory]
    [InlineData("0", 10)]
    [InlineData("10", 10)]
    [InlineData("-1", 2)]
    [InlineData("many", 2)]
    public void The_setting_is_read_and_bad_values_name_it(string value, int expected)
    {
        var read = () => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(), new HoconOverrides()
            .Set("actorvip.interface", "eth0").SetList("actorvip.addresses", ["192.0.2.100"]).Set("actorvip.announce.max-per-second", value)));
        if (expected == 2)
        {
            Assert.StartsWith("announce.max-per-second: ", Assert.Throws<ConfigException>(read).Message);
            return;
        }
        Assert.Equal(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), read().Announce.MaxPerSecond);
    }

    /// <summary>
    /// 20 VIPs held together at 10 announcements a second: the 20 first announcements go out at once, and the 20 repeats
    /// (due together 300 ms later) leave 100 ms apart instead of in one burst.
    /// </summary>
    [Fact]
    public void Twenty_vips_held_together_announce_at_once_and_repeat_at_the_pace()
    {
        var vips = Enumerable.Range(1, 20).Select(i => $"192.0.2.{i}").ToList();
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(), new HoconOverrides()
            .Set("actorvip.interface", "eth0").SetList("actorvip.addresses", vips)
            .Set("actorvip.announce.repeat-after", "300ms").Set("actorvip.announce.refresh-interval", "0s")
            .Set("actorvip.announce.max-per-second", "10")));
        var kernel = new KernelRecorder();
        var sent = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        kernel.DuringAnnounce = () => sent.Enqueue(Clock.Now);
        var pacer = new AnnouncePacer(settings.Announce.MaxPerSecond, Clock);
        var start = Clock.Now;
        foreach (var vip in settings.Vips)
            Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, vip, settings, kernel, kernel, kernel,
                KernelRecorder.Lease(TimeSpan.FromMinutes(5), Clock), pacer: pacer)));

        AdvanceUntil(() => sent.Count >= 40, TimeSpan.FromSeconds(10));
        var times = sent.Select(t => (t - start).TotalMilliseconds).ToList();
        Assert.All(times.Take(20), t => Assert.Equal(0, t));
        var repeats = times.Skip(20).ToList();
        Assert.Equal(300, repeats[0], 10);
        Assert.Equal(300 + 19 * 100, repeats[^1], 10);
    }
}
