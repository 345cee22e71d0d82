using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Tests.Actors;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.LoadBalancing;

public class VipActorLoadBalancingTests : TestKit
{
    private static readonly VipAddress Vip = VipAddress.Parse("192.0.2.100");

    private static NodeSettings Settings(bool lb) => SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
        new HoconOverrides()
            .Set("actorvip.interface", "eth0")
            .SetList("actorvip.addresses", ["192.0.2.100"])
            .Set("actorvip.lb.enabled", lb ? "on" : "off")
            .Set("actorvip.lb.fwdmethod", "masquerade")
            .SetList("actorvip.lb.backends", ["198.51.100.1:6443"])));

    [Fact]
    public void The_held_vip_gets_its_ipvs_service_and_release_removes_service_nat_and_address()
    {
        var kernel = new KernelRecorder();
        var ipvs = new IpvsRecorder();
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(lb: true), kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMinutes(5)),
            new LoadBalancerDrivers(ipvs, ipvs, ipvs, FollowMembers: false)));
        AwaitCondition(() => ipvs.Table.Find(IpvsServiceKey.Tcp(Vip.Address, 6443))?.Destinations.Count == 1, TimeSpan.FromSeconds(5));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, ipvs.Table.Count);
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
        Assert.Empty(ipvs.Masqueraded);
    }

    [Fact]
    public void With_load_balancing_off_nothing_touches_ipvs()
    {
        var kernel = new KernelRecorder();
        var ipvs = new IpvsRecorder();
        Sys.ActorOf(VipActor.Props(KernelRecorder.Link, Vip, Settings(lb: false), kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMinutes(5)),
            new LoadBalancerDrivers(ipvs, ipvs, ipvs, FollowMembers: false)));
        AwaitCondition(() => kernel.HasAddress("192.0.2.100/32"), TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(ipvs.Calls);
    }
}
