using ActorVip.Messages.Agent;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Ownership;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// Issue 13 §2.2: after a stall (SIGSTOP, a GC pause) the holder's timers and mailbox deliver work that was due while
/// the lease still ran. None of it may reach the kernel once the lease has ended: no announce, no fence open, no
/// address add. (The agent's refresh of held VIPs does the same: KernelRefreshTests.)
/// </summary>
public class StaleKernelActionTests : VirtualTimeTestKit
{
    private static readonly VipAddress Vip = VipAddress.Parse("192.0.2.100");

    /// <summary>A lease that runs this many milliseconds from now on virtual time; nobody renews it unless the test does.</summary>
    private HolderLease Lease(int ms) => KernelRecorder.Lease(TimeSpan.FromMilliseconds(ms), Clock);

    private static NodeSettings Settings() => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides()
            .Set("actorvip.interface", "eth0")
            .SetList("actorvip.addresses", ["192.0.2.100"])
            .Set("actorvip.announce.repeat-after", "300ms")
            .Set("actorvip.announce.refresh-interval", "400ms")));

    /// <summary>Moves virtual time on in 10 ms steps, so that periodic timers fire at each of their moments.</summary>
    private void Step(TimeSpan by)
    {
        for (var t = TimeSpan.Zero; t < by; t += TimeSpan.FromMilliseconds(10))
            Scheduler.Advance(TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public void An_announce_tick_delivered_after_the_lease_ended_sends_nothing()
    {
        var kernel = new KernelRecorder();
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, Lease(590))));
        Step(TimeSpan.FromMilliseconds(580));
        var beforeEnd = kernel.Count("announce");
        Assert.Equal(2, beforeEnd); // at once and after repeat-after (300 ms)
        // Nobody renewed: the ticks at 700 ms and 1100 ms come after the lease's end (590 ms).
        Step(TimeSpan.FromMilliseconds(620));
        Assert.Equal(beforeEnd, kernel.Count("announce"));
    }

    [Fact]
    public void A_renewal_delivered_after_the_lease_ended_does_not_open_the_fence()
    {
        var kernel = new KernelRecorder();
        // Too little left at start (under the guard): the holder waits for a renewal to open the fence and add the address.
        var lease = Lease(10);
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, lease));
        Started(actor);
        Step(TimeSpan.FromMilliseconds(1000));
        // Sent while the lease ran, delivered after a stall: it must not open the fence nor add the address.
        actor.Tell(LeaseRenewed.Instance);
        Step(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, kernel.Count("own"));
        Assert.Equal(0, kernel.Count("add"));
    }

    [Fact]
    public void An_address_added_as_the_lease_ended_is_removed_at_once()
    {
        var clock = new ManualClock();
        var kernel = new KernelRecorder();
        // The thread stalls inside RTM_NEWADDR past the lease's end (590 ms).
        kernel.DuringAdd = () => clock.Now = TimeSpan.FromMilliseconds(600);
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMilliseconds(590), clock))));
        Assert.Equal(["own 192.0.2.100 590", "add 192.0.2.100/32 lifetime=2", "remove 192.0.2.100/32"], kernel.Calls.Take(3));
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
        Step(TimeSpan.FromMilliseconds(1200));
        Assert.Equal(0, kernel.Count("announce"));
        Assert.Equal(1, kernel.Count("add"));
    }

    [Fact]
    public void A_fence_opened_as_the_lease_ended_is_closed_at_once_and_the_address_never_added()
    {
        var clock = new ManualClock();
        var kernel = new KernelRecorder();
        // The thread stalls inside the nftables write past the lease's end: the element's timeout counts from the kernel's
        // receipt, so it would outlive the lease by the stall.
        kernel.DuringOwn = () => clock.Now = TimeSpan.FromMilliseconds(600);
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMilliseconds(590), clock))));
        Step(TimeSpan.FromMilliseconds(500));
        Assert.Equal(["own 192.0.2.100 590", "disown 192.0.2.100"], kernel.Calls.Take(2));
        Assert.Equal(0, kernel.Count("add"));
        Assert.Equal(0, kernel.Count("announce"));
    }

    [Fact]
    public void A_lease_ended_by_the_agent_stops_every_kernel_action_at_once()
    {
        var kernel = new KernelRecorder();
        var lease = Lease(10_000);
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, lease));
        Started(actor);
        Step(TimeSpan.FromMilliseconds(100));
        var before = kernel.Calls.Count;
        // GiveUp / lease lost: the agent ends the shared lease before it stops the holder; what is already queued finds it over.
        lease.End();
        actor.Tell(LeaseRenewed.Instance);
        Step(TimeSpan.FromMilliseconds(1200));
        Assert.Equal(before, kernel.Calls.Count);
    }

    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; }
    }
}
