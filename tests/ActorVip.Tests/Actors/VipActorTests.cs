using ActorVip.Messages.Agent;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Actors;

public class VipActorTests : TestKit
{
    private static readonly VipAddress Vip = VipAddress.Parse("192.0.2.100");

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
        Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, TimeSpan.FromMilliseconds(590)));
        AwaitCondition(() => kernel.Count("announce") >= 1, TimeSpan.FromSeconds(5));
        var calls = kernel.Calls.ToList();
        Assert.Equal("own 192.0.2.100 590", calls[0]);
        Assert.Equal("add 192.0.2.100/32 lifetime=2", calls[1]);
        Assert.True(kernel.HasAddress("192.0.2.100/32"));
    }

    [Fact]
    public void Announces_at_once_again_after_repeat_after_and_then_periodically()
    {
        var kernel = new KernelRecorder();
        Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, TimeSpan.FromMilliseconds(590)));
        AwaitCondition(() => kernel.Count("announce") >= 4, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void An_address_deleted_by_someone_else_is_added_again_while_held()
    {
        var kernel = new KernelRecorder();
        Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, TimeSpan.FromMilliseconds(590)));
        AwaitCondition(() => kernel.HasAddress("192.0.2.100/32"), TimeSpan.FromSeconds(5));
        kernel.DeleteBehindTheActorsBack("192.0.2.100/32");
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
        AwaitCondition(() => kernel.HasAddress("192.0.2.100/32"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Every_lease_renewal_refreshes_the_fence_with_the_remaining_time()
    {
        var kernel = new KernelRecorder();
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, TimeSpan.FromMilliseconds(590)));
        actor.Tell(new LeaseRenewed(TimeSpan.FromMilliseconds(444)));
        AwaitCondition(() => kernel.Calls.Contains("own 192.0.2.100 444"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Stopping_closes_the_fence_first_then_removes_the_address()
    {
        var kernel = new KernelRecorder();
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(), kernel, kernel, kernel, TimeSpan.FromMilliseconds(590)));
        AwaitCondition(() => kernel.HasAddress("192.0.2.100/32"), TimeSpan.FromSeconds(5));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        var calls = kernel.Calls.ToList();
        Assert.Equal(["disown 192.0.2.100", "remove 192.0.2.100/32"], calls.TakeLast(2));
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
    }
}
