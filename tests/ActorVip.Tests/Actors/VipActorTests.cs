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
            .Set("actorvip.address.check-interval", "100ms")
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
    public void An_address_deleted_by_someone_else_is_added_again_while_held()
    {
        var kernel = new KernelRecorder();
        Started(Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, Lease(590))));
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Bound);
        kernel.DeleteBehindTheActorsBack("192.0.2.100/32");
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
        // The next address check (every 100 ms here) adds it again.
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), TimeSpan.FromMilliseconds(110));
    }

    [Fact]
    public void Every_lease_renewal_refreshes_the_fence_with_what_is_left_of_the_lease_when_the_kernel_is_called()
    {
        var kernel = new KernelRecorder();
        var lease = Lease(590);
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, lease));
        Started(actor);
        Scheduler.Advance(TimeSpan.FromMilliseconds(100));
        // The agent extends the lease to 800 ms; the holder acts on it 56 ms later: 644 ms are left then, not 700.
        lease.Extend(Clock.Now + TimeSpan.FromMilliseconds(700));
        Scheduler.Advance(TimeSpan.FromMilliseconds(56));
        actor.Tell(LeaseRenewed.Instance);
        AdvanceUntil(() => kernel.Calls.Contains("own 192.0.2.100 644"), Bound);
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
