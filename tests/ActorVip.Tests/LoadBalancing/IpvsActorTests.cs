using System.Net;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;
using ActorVip.Tests.Ipvs;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.LoadBalancing;

public class IpvsActorTests : TestKit
{
    private static readonly VipAddress Vip = VipAddress.Parse("192.0.2.100");
    private static readonly IPAddress OtherVip = IPAddress.Parse("192.0.2.200");
    private static readonly IpvsServiceKey Service = IpvsServiceKey.Tcp(Vip.Address, 6443);
    private static readonly Backend B1 = new(IPAddress.Parse("198.51.100.1"), 6443);
    private static readonly Backend B2 = new(IPAddress.Parse("198.51.100.2"), 6443);
    private static readonly Backend B3 = new(IPAddress.Parse("198.51.100.3"), 6443);

    private static LoadBalancerSettings Lb(ForwardingMethod method = ForwardingMethod.Masquerade, params Backend[] statics) =>
        new(true, 6443, 6443, method, "rr", statics.Select(b => new Endpoint(b.Address.ToString(), b.Port)).ToList(),
            Health: HealthSettings.Default with { Interval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromMilliseconds(40) });

    private IActorRef Start(IpvsRecorder kernel, LoadBalancerSettings lb) =>
        Sys.ActorOf(IpvsActor.Props(Vip, lb, new LoadBalancerDrivers(kernel, kernel, kernel, FollowMembers: false)));

    private void AwaitTable(IpvsRecorder kernel, params IpvsDestination[] destinations) =>
        AwaitCondition(() => kernel.Table.Find(Service) is { } s && s.Destinations.ToHashSet().SetEquals(destinations), TimeSpan.FromSeconds(5));

    private static IpvsDestination Masq(Backend b, int weight = 1) => new(b.Address, b.Port, ForwardingMethod.Masquerade, weight);

    [Fact]
    public void Acquire_programs_the_service_with_the_static_backends_and_masquerades()
    {
        var kernel = new IpvsRecorder();
        Start(kernel, Lb(ForwardingMethod.Masquerade, B1, B2));
        AwaitTable(kernel, Masq(B1), Masq(B2));
        Assert.Equal(new IpvsServiceSettings("rr"), kernel.Table.Find(Service)!.Settings);
        AwaitCondition(() => kernel.Masqueraded.ContainsKey(Vip.Address), TimeSpan.FromSeconds(5));
        Assert.Equal(["list", "execute 3"], kernel.Calls.Take(2));
    }

    [Fact]
    public void A_member_change_applies_only_the_difference_without_reading_the_kernel_again()
    {
        var kernel = new IpvsRecorder();
        var actor = Start(kernel, Lb(ForwardingMethod.DirectRoute, B1));
        AwaitCondition(() => kernel.Table.Find(Service)?.Destinations.Count == 1, TimeSpan.FromSeconds(5));
        kernel.TakeOperations();
        var lists = kernel.Calls.Count(c => c == "list");

        actor.Tell(new MembersChanged([new Endpoint("198.51.100.2", 6443), new Endpoint("198.51.100.3", 6443)], "tcp 6443"));
        AwaitCondition(() => kernel.Table.Find(Service)?.Destinations.Count == 3, TimeSpan.FromSeconds(5));
        Assert.Equal(
            [new AddDestination(Service, new IpvsDestination(B2.Address, 6443, ForwardingMethod.DirectRoute, 1)), new AddDestination(Service,
                new IpvsDestination(B3.Address, 6443, ForwardingMethod.DirectRoute, 1))],
            kernel.TakeOperations());

        actor.Tell(new MembersChanged([new Endpoint("198.51.100.3", 6443)], "tcp 6443"));
        AwaitCondition(() => kernel.Table.Find(Service)?.Destinations.Count == 2, TimeSpan.FromSeconds(5));
        Assert.Equal([new DeleteDestination(Service, B2.Key)], kernel.TakeOperations());
        Assert.Equal(lists, kernel.Calls.Count(c => c == "list"));
    }

    [Fact]
    public void A_failing_backend_gets_weight_zero_and_returns_after_it_recovers()
    {
        var kernel = new IpvsRecorder();
        Start(kernel, Lb(ForwardingMethod.Masquerade, B1, B2));
        AwaitTable(kernel, Masq(B1), Masq(B2));
        kernel.Failing[B2] = true;
        AwaitTable(kernel, Masq(B1), Masq(B2, 0));
        kernel.Failing.TryRemove(B2, out _);
        AwaitTable(kernel, Masq(B1), Masq(B2));
    }

    [Fact]
    public void Release_removes_exactly_its_service_and_the_nat()
    {
        var other = new IpvsService(IpvsServiceKey.Tcp(OtherVip, 6443), new IpvsServiceSettings("wlc"), Masq(B3));
        var kernel = new IpvsRecorder(new IpvsTable([other]));
        var actor = Start(kernel, Lb(ForwardingMethod.Masquerade, B1));
        AwaitTable(kernel, Masq(B1));
        AwaitCondition(() => kernel.Masqueraded.ContainsKey(Vip.Address), TimeSpan.FromSeconds(5));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        AwaitCondition(() => kernel.Table.Find(Service) is null, TimeSpan.FromSeconds(5));
        Assert.True(KernelModel.Same(new IpvsTable([other]), kernel.Table));
        Assert.Empty(kernel.Masqueraded);
        // The NAT child stops before the service goes.
        Assert.True(kernel.Calls.ToList().IndexOf($"unmasquerade {Vip.Address}") < kernel.Calls.ToList().LastIndexOf("execute 1"));
    }

    [Fact]
    public void Start_replaces_what_a_crashed_run_left_for_its_vip_and_leaves_other_services_alone()
    {
        var stalePort = new IpvsService(IpvsServiceKey.Tcp(Vip.Address, 8080), new IpvsServiceSettings("wlc"), Masq(B3));
        var staleSame = new IpvsService(Service, new IpvsServiceSettings("wlc"), Masq(B3), Masq(B1, 5));
        var other = new IpvsService(IpvsServiceKey.Tcp(OtherVip, 6443), new IpvsServiceSettings("wlc"), Masq(B3));
        var kernel = new IpvsRecorder(new IpvsTable([stalePort, staleSame, other]));
        Start(kernel, Lb(ForwardingMethod.Masquerade, B1, B2));
        AwaitTable(kernel, Masq(B1), Masq(B2));
        AwaitCondition(() => kernel.Table.Count == 2, TimeSpan.FromSeconds(5));
        Assert.Equal(new IpvsServiceSettings("rr"), kernel.Table.Find(Service)!.Settings);
        Assert.NotNull(kernel.Table.Find(other.Key));
    }

    [Fact]
    public void Local_sends_to_the_owner_itself_and_needs_no_nat()
    {
        var kernel = new IpvsRecorder();
        Start(kernel, Lb(ForwardingMethod.Local, B1, B2));
        AwaitTable(kernel, new IpvsDestination(Vip.Address, 6443, ForwardingMethod.Local, 1));
        Assert.Empty(kernel.Masqueraded);
    }

    [Fact]
    public void Stale_services_of_our_vips_are_removed_and_nothing_else()
    {
        var ours = new IpvsService(Service, new IpvsServiceSettings("rr"), Masq(B1));
        var other = new IpvsService(IpvsServiceKey.Tcp(OtherVip, 6443), new IpvsServiceSettings("wlc"), Masq(B3));
        var kernel = new IpvsRecorder(new IpvsTable([ours, other]));
        Assert.Equal([Service], StaleServices.Remove(kernel, [Vip.Address]));
        Assert.True(KernelModel.Same(new IpvsTable([other]), kernel.Table));
    }
}
