using System.Collections.Concurrent;
using System.Net;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;
using ActorVip.Tests.Actors;
using ActorVip.Tests.Configuration;
using ActorVip.Tests.Ipvs;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>One IpvsActor for a VIP with several services: TCP and UDP on one port, several ports, a firewall mark, each with its own checks.</summary>
public class VipServicesActorTests : TestKit
{
    private static readonly IPAddress B1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress B2 = IPAddress.Parse("198.51.100.12");

    /// <summary>
    /// A probe per kind of check, each failing the backends put in its set: a UDP check can fail while the TCP check of the same
    /// address and port passes.
    /// </summary>
    private sealed class ProbesByKind : IHealthProbes
    {
        public ConcurrentDictionary<HealthCheckKind, FailingProbe> Probes { get; } = new();

        public IHealthProbe For(HealthSettings health) => Probes.GetOrAdd(health.Kind, _ => new FailingProbe());
    }

    private sealed class FailingProbe : IHealthProbe
    {
        public ConcurrentDictionary<Backend, bool> Failing { get; } = new();
        public ConcurrentQueue<Backend> Checked { get; } = new();

        public Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
        {
            Checked.Enqueue(backend);
            return Task.FromResult(!Failing.ContainsKey(backend));
        }
    }

    private static VipConfig Vip(string services, string address = "192.0.2.100") =>
        VipServicesTests.ReadFile($$"""
            actorvip { interface = eth0, lb.health { interval = 50ms, timeout = 40ms }
              vips = [ { address = "{{address}}", services = [ {{services}} ] } ] }
            """).Vips.Single();

    private IActorRef Start(VipConfig vip, IpvsRecorder kernel, IHealthProbes probes) =>
        Sys.ActorOf(IpvsActor.Props(vip.Vip, vip.Services, new LoadBalancerDrivers(kernel, kernel, probes, FollowMembers: false)));

    private static IpvsDestination Masq(IPAddress address, ushort port, int weight = 1) => new(address, port, ForwardingMethod.Masquerade, weight);

    private void AwaitService(IpvsRecorder kernel, IpvsServiceKey key, params IpvsDestination[] destinations) =>
        AwaitCondition(() => kernel.Table.Find(key) is { } s && s.Destinations.ToHashSet().SetEquals(destinations), TimeSpan.FromSeconds(5));

    [Fact]
    public void Tcp_and_udp_on_one_port_and_a_second_port_are_three_services_applied_in_one_change_with_one_nat()
    {
        var vip = Vip("""
            { protocol = tcp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"] }
            { protocol = udp, port = 53, fwdmethod = masquerade, scheduler = wrr, backends = ["198.51.100.11", "198.51.100.12"] }
            { protocol = tcp, port = 80, fwdmethod = masquerade, backend-port = 8080, backends = ["198.51.100.11"] }
            """);
        var kernel = new IpvsRecorder();
        Start(vip, kernel, new ProbesByKind());
        AwaitService(kernel, IpvsServiceKey.Tcp(vip.Address, 53), Masq(B1, 53), Masq(B2, 53));
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 53), Masq(B1, 53), Masq(B2, 53));
        AwaitService(kernel, IpvsServiceKey.Tcp(vip.Address, 80), Masq(B1, 8080));
        Assert.Equal("wrr", kernel.Table.Find(IpvsServiceKey.Udp(vip.Address, 53))!.Settings.Scheduler);
        // One read, one batch of 3 services and 5 destinations.
        Assert.Equal(["list", "execute 8"], kernel.Calls.Take(2));
        AwaitCondition(() => kernel.Masqueraded.ContainsKey(vip.Address), TimeSpan.FromSeconds(5));
        Assert.Single(kernel.Calls, c => c.StartsWith("masquerade", StringComparison.Ordinal));
    }

    [Fact]
    public void A_backend_that_fails_the_udp_check_leaves_only_the_udp_service()
    {
        var vip = Vip("""
            { protocol = tcp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"] }
            { protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"] }
            """);
        var kernel = new IpvsRecorder();
        var probes = new ProbesByKind();
        Start(vip, kernel, probes);
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 53), Masq(B1, 53), Masq(B2, 53));
        AwaitCondition(() => probes.Probes.ContainsKey(HealthCheckKind.Udp) && probes.Probes.ContainsKey(HealthCheckKind.Tcp), TimeSpan.FromSeconds(5));

        probes.Probes[HealthCheckKind.Udp].Failing[new Backend(B2, 53)] = true;
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 53), Masq(B1, 53), Masq(B2, 53, 0));
        // Some rounds later the TCP service still sends to both.
        AwaitCondition(() => probes.Probes[HealthCheckKind.Tcp].Checked.Count >= 12, TimeSpan.FromSeconds(5));
        Assert.Equal([Masq(B1, 53), Masq(B2, 53)], kernel.Table.Find(IpvsServiceKey.Tcp(vip.Address, 53))!.Destinations);
    }

    [Fact]
    public void Members_and_verdicts_reach_only_the_service_they_name()
    {
        var vip = Vip("""
            { protocol = tcp, port = 80, fwdmethod = directroute, health { kind = none } }
            { protocol = udp, port = 80, fwdmethod = directroute, health { kind = none } }
            """);
        var kernel = new IpvsRecorder();
        var actor = Start(vip, kernel, new ProbesByKind());
        AwaitCondition(() => kernel.Table.Count == 2, TimeSpan.FromSeconds(5));
        actor.Tell(new MembersChanged([new Endpoint("198.51.100.11", 80)], "udp 80"));
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 80), new IpvsDestination(B1, 80, ForwardingMethod.DirectRoute, 1));
        actor.Tell(new BackendHealthChanged(new Backend(B1, 80), false, "tcp 80"));
        actor.Tell(new MembersChanged([new Endpoint("198.51.100.12", 80)], "no such service"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(kernel.Table.Find(IpvsServiceKey.Tcp(vip.Address, 80))!.Destinations);
        Assert.Equal([new IpvsDestination(B1, 80, ForwardingMethod.DirectRoute, 1)], kernel.Table.Find(IpvsServiceKey.Udp(vip.Address, 80))!.Destinations);
    }

    [Fact]
    public void A_service_with_health_kind_none_is_never_checked()
    {
        var vip = Vip("""{ protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11"], health { kind = none } }""");
        var kernel = new IpvsRecorder();
        var probes = new ProbesByKind();
        Start(vip, kernel, probes);
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 53), Masq(B1, 53));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(probes.Probes);
    }

    [Fact]
    public void A_health_port_is_checked_instead_of_the_backend_port_and_the_verdict_is_the_backends()
    {
        var vip = Vip("""{ protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11"], health { kind = tcp, port = 8053 } }""");
        var kernel = new IpvsRecorder();
        var probes = new ProbesByKind();
        Start(vip, kernel, probes);
        AwaitCondition(() => probes.Probes.TryGetValue(HealthCheckKind.Tcp, out var p) && !p.Checked.IsEmpty, TimeSpan.FromSeconds(5));
        Assert.All(probes.Probes[HealthCheckKind.Tcp].Checked, b => Assert.Equal(new Backend(B1, 8053), b));
        probes.Probes[HealthCheckKind.Tcp].Failing[new Backend(B1, 8053)] = true;
        AwaitService(kernel, IpvsServiceKey.Udp(vip.Address, 53), Masq(B1, 53, 0));
    }

    [Fact]
    public void Its_firewall_mark_service_is_its_own_to_replace_and_remove_and_another_mark_is_left_alone()
    {
        var vip = Vip("""{ fwmark = 7, fwdmethod = directroute, backends = ["198.51.100.11"], health { kind = none } }""");
        var ours = IpvsServiceKey.ForFirewallMark(7);
        var foreign = new IpvsService(IpvsServiceKey.ForFirewallMark(8), new IpvsServiceSettings("wlc"),
            new IpvsDestination(B2, 0, ForwardingMethod.DirectRoute, 1));
        var stale = new IpvsService(ours, new IpvsServiceSettings("wlc"), new IpvsDestination(B2, 0, ForwardingMethod.DirectRoute, 1));
        var kernel = new IpvsRecorder(new IpvsTable([stale, foreign]));
        var actor = Start(vip, kernel, new ProbesByKind());
        AwaitService(kernel, ours, new IpvsDestination(B1, 0, ForwardingMethod.DirectRoute, 1));
        Assert.Equal("rr", kernel.Table.Find(ours)!.Settings.Scheduler);
        Assert.Empty(kernel.Masqueraded);

        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.True(KernelModel.Same(new IpvsTable([foreign]), kernel.Table));
    }

    [Fact]
    public void Persistence_flags_and_one_packet_scheduling_reach_the_kernel_service()
    {
        var vip = Vip("""
            { protocol = udp, port = 5060, fwdmethod = masquerade, scheduler = sh, scheduler-flags = ["sh-fallback", "sh-port"], one-packet = on,
              persistence = 120s, persistence-netmask = 24, health { kind = none } }
            """);
        var kernel = new IpvsRecorder();
        Start(vip, kernel, new ProbesByKind());
        AwaitCondition(() => kernel.Table.Count == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(new IpvsServiceSettings("sh", true, 120, 24, true, SchedulerFlags.Flag1 | SchedulerFlags.Flag2),
            kernel.Table.Find(IpvsServiceKey.Udp(vip.Address, 5060))!.Settings);
    }

    [Fact]
    public void The_vip_actor_starts_the_services_the_vip_declares_even_with_actorvip_lb_off()
    {
        var settings = VipServicesTests.ReadFile("""
            actorvip { interface = eth0
              vips = [ { address = "192.0.2.100", services = [ { protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11"] } ] } ] }
            """);
        var kernel = new KernelRecorder();
        var ipvs = new IpvsRecorder();
        var actor = Sys.ActorOf(VipActor.Props(KernelRecorder.Link, settings.Vips[0], settings, kernel, kernel, kernel,
            KernelRecorder.Lease(TimeSpan.FromMinutes(5)),
            new LoadBalancerDrivers(ipvs, ipvs, ipvs, FollowMembers: false)));
        AwaitService(ipvs, IpvsServiceKey.Udp(settings.Vips[0].Address, 53), Masq(B1, 53));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, ipvs.Table.Count);
    }
}
