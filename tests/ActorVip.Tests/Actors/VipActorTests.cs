using ActorVip.Messages.Agent;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>The holder of one VIP against an in-memory kernel, on virtual time (<see cref="VirtualTimeTestKit"/>).</summary>
public class VipActorTests : VirtualTimeTestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static readonly VipAddress Vip = VipAddress.Parse("192.0.2.100");

    /// <summary>A lease that runs this many milliseconds from now on virtual time; nobody renews it unless the test does.</summary>
    private HolderLease Lease(int ms) => KernelRecorder.Lease(TimeSpan.FromMilliseconds(ms), Clock);

    private static NodeSettings Settings() => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides()
            .Set("actorvip.interface", "eth0")
            .SetList("actorvip.addresses", ["192.0.2.100"])
            .Set("actorvip.announce.repeat-after", "300ms")
            .Set("actorvip.announce.refresh-interval", "400ms")));

    [Fact]
    public void Acquire_opens_the_fence_before_the_address_exists_then_announces()
    {
        var kernel = new KernelRecorder();
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, Lease(590))));
        AdvanceUntil(() => kernel.Count("announce") >= 1, Bound);
        var calls = kernel.Calls.ToList();
        Assert.Equal("own 192.0.2.100 590", calls[0]);
        Assert.Equal("add 192.0.2.100/32 lifetime=2", calls[1]);
        Assert.True(kernel.HasAddress("192.0.2.100/32"));
    }

    [Fact]
    public void Announces_at_once_again_after_repeat_after_and_then_periodically()
    {
        var kernel = new KernelRecorder();
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, Lease(10_000))));
        // At once, after repeat-after (300 ms), then every refresh-interval (400 ms): the fourth at 1.1 s.
        var fourth = AdvanceUntil(() => kernel.Count("announce") >= 4, TimeSpan.FromSeconds(10));
        Assert.InRange(fourth, TimeSpan.FromMilliseconds(1100), TimeSpan.FromMilliseconds(1110));
    }

    [Fact]
    public void Once_the_vip_is_in_the_kernel_the_holder_leaves_its_refresh_to_the_agent()
    {
        var kernel = new KernelRecorder();
        var lease = Lease(590);
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, lease));
        Started(actor);
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Bound);
        Assert.True(lease.InKernel);
        var before = kernel.Calls.Count(c => !c.StartsWith("announce", StringComparison.Ordinal));
        // Renewed and checked by the agent's batches now (KernelRefresh): no fence open, no add of its own.
        lease.Extend(Clock.Now + TimeSpan.FromMilliseconds(700));
        actor.Tell(LeaseRenewed.Instance);
        Scheduler.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(before, kernel.Calls.Count(c => !c.StartsWith("announce", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_holder_started_with_too_little_lease_puts_the_vip_in_the_kernel_on_the_first_renewal_with_what_is_left_then()
    {
        var kernel = new KernelRecorder();
        // 10 ms: under the guard (HolderLease.Guard), so the start skips the fence and the address.
        var lease = Lease(10);
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, lease));
        Started(actor);
        Assert.DoesNotContain(kernel.Calls, c => c.StartsWith("own", StringComparison.Ordinal) || c.StartsWith("add", StringComparison.Ordinal));
        Assert.False(lease.InKernel);
        // The agent extends the lease to 700 ms; the holder acts on it 56 ms later: 644 ms are left then, not 700.
        lease.Extend(Clock.Now + TimeSpan.FromMilliseconds(700));
        Scheduler.Advance(TimeSpan.FromMilliseconds(56));
        actor.Tell(LeaseRenewed.Instance);
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Bound);
        Assert.Equal(["own 192.0.2.100 644", "add 192.0.2.100/32 lifetime=2"], kernel.Calls.Where(c => !c.StartsWith("announce", StringComparison.Ordinal)));
        Assert.True(lease.InKernel);
    }

    [Fact]
    public void Stopping_closes_the_fence_first_then_removes_the_address()
    {
        var kernel = new KernelRecorder();
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, Lease(590)));
        Started(actor);
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Bound);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        var calls = kernel.Calls.ToList();
        Assert.Equal(["disown 192.0.2.100", "remove 192.0.2.100/32"], calls.TakeLast(2));
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
    }
}
