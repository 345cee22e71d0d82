using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Ownership;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Actors;

/// <summary>
/// The agent's batched refresh of the VIPs it holds (issue 15): one fence transaction and one address batch for all of them,
/// and, as each holder did before, nothing for a VIP whose lease has ended, and an undo of what a stall inside the call
/// carried past a lease's end (issue 13 §2.2).
/// </summary>
public class KernelRefreshTests : TestKit
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    private static readonly AddressSettings Addresses = new(Lifetime, TimeSpan.FromMilliseconds(500));
    private readonly ManualClock _clock = new();
    private readonly KernelRecorder _kernel = new();

    private KernelRefresh Refresh() => new(_kernel, _kernel, Addresses, _clock, Akka.Event.Logging.GetLogger(Sys, "refresh"));

    private HeldVip Held(string vip, int leaseMs) =>
        new(VipAddress.Parse(vip), KernelRecorder.Link, new HolderLease(_clock, _clock.Now + TimeSpan.FromMilliseconds(leaseMs)));

    [Fact]
    public void The_fences_of_every_held_vip_go_to_the_kernel_in_one_call_each_with_its_own_time_and_none_for_an_ended_lease()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        var ended = Held("192.0.2.3", 0);
        ended.Lease.End();
        // 10 ms left: under the guard (HolderLease.Guard), too late to act on.
        Refresh().Fences([Held("192.0.2.1", 700), Held("192.0.2.2", 450), ended, Held("192.0.2.4", 10)]);
        Assert.Equal(["own 192.0.2.1 700; 192.0.2.2 450"], _kernel.Calls);
    }

    [Fact]
    public void A_fence_refreshed_as_its_lease_ended_is_closed_at_once()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        // The thread stalls inside the nftables write for 300 ms: the second VIP's lease (250 ms) ended meanwhile, and its
        // element's timeout counts from the kernel's receipt, so it would outlive the lease by the stall.
        _kernel.DuringOwn = () => _clock.Now += TimeSpan.FromMilliseconds(300);
        Refresh().Fences([Held("192.0.2.1", 700), Held("192.0.2.2", 250)]);
        Assert.Equal(["own 192.0.2.1 700; 192.0.2.2 250", "disown 192.0.2.2"], _kernel.Calls);
    }

    /// <summary>
    /// Issue 14 §2: `nft delete table ip actorvip` or `nft flush ruleset` by hand made every refresh fail (ENOENT) while the
    /// node went on holding: its elements ran out and the VIPs went dark, or were served with no fence at all.
    /// </summary>
    [Fact]
    public void A_fence_refresh_that_fails_installs_the_fence_again_and_opens_every_held_vip()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        var refresh = new KernelRefresh(_kernel, _kernel, Addresses, _clock, Akka.Event.Logging.GetLogger(Sys, "refresh"),
            [System.Net.IPAddress.Parse("192.0.2.1"), System.Net.IPAddress.Parse("192.0.2.2")]);
        var due = Held("192.0.2.1", 700);
        var other = Held("192.0.2.2", 500);
        _kernel.FailOwns = 1;

        EventFilter.Warning(contains: "the kernel fence was missing or broken").ExpectOne(() => refresh.Fences([due], () => [due, other]));

        Assert.Equal(["own failed", "install 192.0.2.1,192.0.2.2", "own 192.0.2.1 700; 192.0.2.2 500"], _kernel.Calls);
    }

    [Fact]
    public void A_repair_that_fails_too_is_logged_once_not_every_round()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        var refresh = new KernelRefresh(_kernel, _kernel, Addresses, _clock, Akka.Event.Logging.GetLogger(Sys, "refresh"),
            [System.Net.IPAddress.Parse("192.0.2.1")]);
        var due = Held("192.0.2.1", 700);
        _kernel.FailOwns = 10;
        EventFilter.Error(contains: "failed").Expect(1, () =>
        {
            for (var round = 0; round < 4; round++) refresh.Fences([due], () => [due]);
        });
    }

    /// <summary>
    /// Issue 14: a repair that fails (a foreign table of the fence's name, which Install leaves alone) was only logged, and the
    /// node went on holding VIPs it could not serve. The refresh now says why, so the agent can give them up.
    /// </summary>
    [Fact]
    public void A_refresh_whose_repair_fails_says_why_and_one_repaired_says_nothing()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        var refresh = new KernelRefresh(_kernel, _kernel, Addresses, _clock, Akka.Event.Logging.GetLogger(Sys, "refresh"),
            [System.Net.IPAddress.Parse("192.0.2.1")]);
        var due = Held("192.0.2.1", 700);
        _kernel.FailOwns = 1;
        _kernel.FailInstall = "fence.table: nftables table ip actorvip exists and ActorVip did not make it";

        Assert.Equal("the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: nftables table ip actorvip exists and " +
            "ActorVip did not make it", refresh.Fences([due], () => [due]));
        Assert.NotNull(refresh.Reinstall());

        _kernel.FailInstall = null;
        Assert.Null(refresh.Reinstall());
        _kernel.FailOwns = 1;
        Assert.Null(refresh.Fences([due], () => [due]));
        Assert.Equal(["own failed", "install failed", "install failed", "install 192.0.2.1", "own failed", "install 192.0.2.1", "own 192.0.2.1 700"],
            _kernel.Calls);
    }

    [Fact]
    public void The_addresses_are_refreshed_in_one_batch_and_one_deleted_by_someone_else_is_named_and_added_again()
    {
        _kernel.Add(KernelRecorder.Link, [VipAddress.Parse("192.0.2.1"), VipAddress.Parse("192.0.2.2")], Lifetime);
        _kernel.DeleteBehindTheActorsBack("192.0.2.2/32");
        var ended = Held("192.0.2.3", 500);
        ended.Lease.End();
        var before = _kernel.Calls.Count;

        EventFilter.Warning(contains: "vip=192.0.2.2/32 was removed from eth0 by someone else while owned; adding it again")
            .ExpectOne(() => Refresh().Addresses([Held("192.0.2.1", 700), Held("192.0.2.2", 700), ended]));

        Assert.Equal(["add 192.0.2.1/32,192.0.2.2/32 lifetime=2"], _kernel.Calls.Skip(before));
        Assert.True(_kernel.HasAddress("192.0.2.2/32"));
        Assert.False(_kernel.HasAddress("192.0.2.3/32"));
    }

    /// <summary>
    /// Issue 15: every check re-added every address, a batch of 500 replaces every 500 ms on a node holding 500 VIPs. An
    /// address is re-added once it is RefreshAfter old (750 ms with 2 s and 500 ms: every second check), or at once when it
    /// is missing; the listing still runs at every check.
    /// </summary>
    [Fact]
    public void An_address_is_re_added_every_second_check_when_it_is_old_enough_and_at_once_when_it_is_missing()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(750), Addresses.RefreshAfter);
        _clock.Now = TimeSpan.FromSeconds(10);
        var refresh = Refresh();
        var (a, b) = (Held("192.0.2.1", 60_000), Held("192.0.2.2", 60_000));
        refresh.Acquire([a, b]);
        var adds = new List<string>();
        for (var check = 1; check <= 4; check++)
        {
            _clock.Now += TimeSpan.FromMilliseconds(500);
            if (check == 3) _kernel.DeleteBehindTheActorsBack("192.0.2.2/32");
            var before = _kernel.Calls.Count;
            refresh.Addresses([a, b]);
            adds.Add(string.Join(" ", _kernel.Calls.Skip(before).Where(c => c.StartsWith("add", StringComparison.Ordinal))));
        }
        // 500 ms old: nothing; 1 s: both; 500 ms again, but b was deleted: b alone; then a at 1 s old, b only 500 ms old.
        Assert.Equal(["", "add 192.0.2.1/32,192.0.2.2/32 lifetime=2", "add 192.0.2.2/32 lifetime=2", "add 192.0.2.1/32 lifetime=2"], adds);
    }

    [Fact]
    public void An_address_whose_lifetime_is_forever_is_re_added_only_when_missing()
    {
        var forever = new KernelRefresh(_kernel, _kernel, Addresses with { ValidLifetime = null }, _clock, Akka.Event.Logging.GetLogger(Sys, "refresh"));
        var held = Held("192.0.2.1", 60_000);
        _kernel.Add(KernelRecorder.Link, [held.Vip], null);
        var before = _kernel.Calls.Count;
        forever.Addresses([held]);
        Assert.DoesNotContain(_kernel.Calls.Skip(before), c => c.StartsWith("add", StringComparison.Ordinal));
        _kernel.DeleteBehindTheActorsBack("192.0.2.1/32");
        forever.Addresses([held]);
        Assert.True(_kernel.HasAddress("192.0.2.1/32"));
    }

    [Fact]
    public void An_address_refreshed_as_its_lease_ended_is_removed_at_once()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        _kernel.DuringAdd = () => _clock.Now += TimeSpan.FromMilliseconds(300);
        Refresh().Addresses([Held("192.0.2.1", 700), Held("192.0.2.2", 250)]);
        Assert.Equal(["add 192.0.2.1/32,192.0.2.2/32 lifetime=2", "remove 192.0.2.2/32"], _kernel.Calls);
        Assert.True(_kernel.HasAddress("192.0.2.1/32"));
        Assert.False(_kernel.HasAddress("192.0.2.2/32"));
    }

    [Fact]
    public void Nothing_at_all_reaches_the_kernel_when_every_lease_has_ended()
    {
        var held = Held("192.0.2.1", 700);
        held.Lease.End();
        Refresh().Fences([held]);
        Refresh().Addresses([held]);
        Assert.Empty(_kernel.Calls);
    }

    [Fact]
    public void Vips_granted_together_are_opened_then_added_in_one_call_each_and_marked_in_the_kernel_but_not_one_with_an_ended_lease()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        var (a, b, ended) = (Held("192.0.2.1", 700), Held("192.0.2.2", 600), Held("192.0.2.3", 700));
        ended.Lease.End();
        Refresh().Acquire([a, b, ended]);
        Assert.Equal(["own 192.0.2.1 700; 192.0.2.2 600", "add 192.0.2.1/32,192.0.2.2/32 lifetime=2"], _kernel.Calls);
        Assert.True(a.Lease.InKernel && b.Lease.InKernel);
        Assert.False(ended.Lease.InKernel);
    }

    [Fact]
    public void A_vip_granted_together_whose_lease_ended_during_the_calls_is_taken_out_again_and_left_to_its_holder()
    {
        _clock.Now = TimeSpan.FromSeconds(10);
        _kernel.DuringAdd = () => _clock.Now += TimeSpan.FromMilliseconds(300);
        var (a, b) = (Held("192.0.2.1", 700), Held("192.0.2.2", 250));
        Refresh().Acquire([a, b]);
        Assert.Equal(["own 192.0.2.1 700; 192.0.2.2 250", "add 192.0.2.1/32,192.0.2.2/32 lifetime=2", "disown 192.0.2.2", "remove 192.0.2.2/32"],
            _kernel.Calls);
        Assert.True(a.Lease.InKernel);
        Assert.False(b.Lease.InKernel);
        Assert.False(_kernel.HasAddress("192.0.2.2/32"));
    }

    [Fact]
    public void Vips_given_up_together_are_closed_then_removed_in_one_call_each_and_a_failure_leaves_them_to_their_holders()
    {
        var (a, b) = (Held("192.0.2.1", 700), Held("192.0.2.2", 700));
        Refresh().Silence([a, b]);
        Assert.Equal(["disown 192.0.2.1,192.0.2.2", "remove 192.0.2.1/32,192.0.2.2/32"], _kernel.Calls);
        Assert.True(a.Lease.Silenced && b.Lease.Silenced);

        var (c, d) = (Held("192.0.2.3", 700), Held("192.0.2.4", 700));
        _kernel.FailRemove = true;
        Refresh().Silence([c, d]);
        Assert.False(c.Lease.Silenced || d.Lease.Silenced);
        _kernel.FailRemove = false;
        _kernel.FailDisown = true;
        Refresh().Silence([c, d]);
        Assert.False(c.Lease.Silenced || d.Lease.Silenced);
        Assert.Equal("disown 192.0.2.3,192.0.2.4 failed", _kernel.Calls.Last());
    }

    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; }
    }
}
