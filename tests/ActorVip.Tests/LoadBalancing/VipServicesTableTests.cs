using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Hosting;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;
using ActorVip.Tests.Configuration;
using ActorVip.Tests.Ipvs;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>The pure parts of per-VIP services: the table, what is ours to delete, the fence, backend setup and the scheduler check.</summary>
public class VipServicesTableTests
{
    private static readonly IPAddress Vip4 = IPAddress.Parse("192.0.2.100");
    private static readonly Backend B1 = new(IPAddress.Parse("198.51.100.11"), 53);

    private static ServiceConfig Service(IpvsProtocol protocol, int port, ForwardingMethod method, uint mark = 0) =>
        new(protocol, port, mark, port, method, "rr", [], false, HealthSettings.Default);

    [Fact]
    public void A_udp_service_is_keyed_udp_and_a_local_one_delivers_to_the_vip_on_its_port()
    {
        var udp = LoadBalancerTable.Service(Vip4, Service(IpvsProtocol.Udp, 53, ForwardingMethod.Masquerade), [B1], _ => true);
        Assert.Equal(IpvsServiceKey.Udp(Vip4, 53), udp.Key);
        Assert.Equal([new IpvsDestination(B1.Address, 53, ForwardingMethod.Masquerade, 1)], udp.Destinations);
        var local = LoadBalancerTable.Service(Vip4, Service(IpvsProtocol.Sctp, 3868, ForwardingMethod.Local), [B1], _ => true);
        Assert.Equal(IpvsServiceKey.Sctp(Vip4, 3868), local.Key);
        Assert.Equal([new IpvsDestination(Vip4, 3868, ForwardingMethod.Local, 1)], local.Destinations);
    }

    [Fact]
    public void A_fwmark_service_is_keyed_by_mark_and_family_and_its_backends_keep_the_packets_port()
    {
        var v6 = IPAddress.Parse("2001:db8::100");
        var b6 = new Backend(IPAddress.Parse("2001:db8::11"), 0);
        var service = LoadBalancerTable.Service(v6, Service(IpvsProtocol.Tcp, 0, ForwardingMethod.DirectRoute, mark: 7), [b6, B1], _ => true);
        Assert.Equal(IpvsServiceKey.ForFirewallMark(7, System.Net.Sockets.AddressFamily.InterNetworkV6), service.Key);
        // The IPv4 backend is not of the VIP's family.
        Assert.Equal([new IpvsDestination(b6.Address, 0, ForwardingMethod.DirectRoute, 1)], service.Destinations);
    }

    [Fact]
    public void The_tables_of_a_vips_services_print_and_parse_back_as_ipvsadm_reads_them()
    {
        var vip = VipServicesTests.ReadFile("""
            actorvip { interface = eth0, vips = [ { address = "192.0.2.100", services = [
              { protocol = udp, port = 53, fwdmethod = masquerade, one-packet = on, backends = ["198.51.100.11"] }
              { protocol = sctp, port = 3868, fwdmethod = masquerade, persistence = 60s, persistence-netmask = 24, backends = ["198.51.100.11"] }
              { fwmark = 7, fwdmethod = directroute, scheduler = mh, scheduler-flags = ["mh-port"], backends = ["198.51.100.12"], health.kind = none }
            ] } ] }
            """).Vips.Single();
        var table = new IpvsTable(vip.Services.Select(s =>
            LoadBalancerTable.Service(vip.Address, s, BackendAddresses.Resolve(s.Backends, null, _ => { }), _ => true)));
        var saved = Node.Ipvs.Rules.IpvsRulesPrinter.Save(table);
        Assert.Contains("-A -u 192.0.2.100:53 -s rr -o", saved);
        Assert.Contains("-A --sctp-service 192.0.2.100:3868 -s rr -p 60 -M 255.255.255.0", saved);
        Assert.Contains("-A -f 7 -s mh -b mh-port", saved);
        Assert.Contains("-a -f 7 -r 198.51.100.12:0 -g -w 1", saved);
        Assert.True(KernelModel.Same(table, Node.Ipvs.Rules.IpvsRulesParser.Parse(saved)));
    }

    [Fact]
    public void Stale_services_are_those_on_our_addresses_and_our_marks_and_nothing_else()
    {
        var ourMark = new IpvsService(IpvsServiceKey.ForFirewallMark(7), new IpvsServiceSettings("rr"));
        var otherMark = new IpvsService(IpvsServiceKey.ForFirewallMark(7, System.Net.Sockets.AddressFamily.InterNetworkV6), new IpvsServiceSettings("rr"));
        var ourUdp = new IpvsService(IpvsServiceKey.Udp(Vip4, 53), new IpvsServiceSettings("rr"));
        var other = new IpvsService(IpvsServiceKey.Udp(IPAddress.Parse("192.0.2.200"), 53), new IpvsServiceSettings("rr"));
        var kernel = new IpvsRecorder(new IpvsTable([ourMark, otherMark, ourUdp, other]));
        var removed = StaleServices.Remove(kernel, [Vip4], [IpvsServiceKey.ForFirewallMark(7)]);
        Assert.Equal([ourMark.Key, ourUdp.Key], removed.OrderBy(k => k.ToString()));
        Assert.True(KernelModel.Same(new IpvsTable([otherMark, other]), kernel.Table));

        var ownership = new IpvsOwnership([new IPNetwork(Vip4, 32)], [IpvsServiceKey.ForFirewallMark(7)]);
        Assert.True(ownership.Owns(ourMark.Key));
        Assert.False(ownership.Owns(otherMark.Key));
        Assert.False(new IpvsOwnership([new IPNetwork(Vip4, 32)]).Owns(ourMark.Key));
    }

    [Fact]
    public void The_marks_of_the_configuration_are_the_declared_fwmark_services()
    {
        var settings = VipServicesTests.ReadFile("""
            actorvip { interface = eth0, vips = [
              { address = "192.0.2.100", services = [ { fwmark = 7, health.kind = none }, { port = 80 } ] }
              { address = "2001:db8::100", services = [ { fwmark = 9, health.kind = none } ] } ] }
            """);
        Assert.Equal([IpvsServiceKey.ForFirewallMark(7), IpvsServiceKey.ForFirewallMark(9, System.Net.Sockets.AddressFamily.InterNetworkV6)],
            StaleServices.MarksOf(settings).OrderBy(k => k.FirewallMark));
    }

    [Theory]
    [InlineData("masquerade", "masquerade", true, null)]
    [InlineData("masquerade", "tunnel", true, "eth0")]
    [InlineData("tunnel", "directroute", false, null)]
    public void The_inbound_fence_follows_the_most_permissive_method_of_any_service(string first, string second, bool enabled, string? only)
    {
        var settings = VipServicesTests.ReadFile($$"""
            actorvip { interface = eth0, vips = [
              { address = "192.0.2.100", services = [ { port = 80, fwdmethod = {{first}} } ] }
              { address = "192.0.2.101", services = [ { port = 80, fwdmethod = {{second}} } ] } ] }
            """);
        Assert.Equal(new InboundFence(enabled, only is null ? null : [only]), InboundFence.For(settings));
    }

    [Fact]
    public void For_tunnel_the_inbound_rule_covers_every_interface_a_vip_lives_on()
    {
        var settings = VipServicesTests.ReadFile("""
            actorvip { interface = eth0, vips = [
              { address = "192.0.2.100", services = [ { port = 80, fwdmethod = tunnel } ] }
              { address = "198.51.100.10", interface = eth1 } ] }
            """);
        Assert.Equal(new InboundFence(true, ["eth0", "eth1"]), InboundFence.For(settings));
    }

    [Fact]
    public void Backend_setup_names_the_vips_of_each_method()
    {
        var settings = VipServicesTests.ReadFile("""
            actorvip { interface = eth0, vips = [
              { address = "198.51.100.100", services = [ { protocol = udp, port = 53, fwdmethod = directroute }, { port = 80, fwdmethod = masquerade } ] }
              { address = "198.51.100.101", services = [ { port = 80, fwdmethod = masquerade } ] } ] }
            """);
        var lines = BackendSetup.Commands(settings);
        Assert.Contains("ip addr add 198.51.100.100/32 dev lo", lines);
        Assert.DoesNotContain("ip addr add 198.51.100.101/32 dev lo", lines);
        Assert.Contains(lines, l => l.StartsWith("# directroute: run on every backend (198.51.100.100 udp 53)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("# masquerade: backends need nothing", StringComparison.Ordinal));
    }

    public static TheoryData<string, SchedulerPresence> Schedulers => new()
    {
        { "rr", SchedulerPresence.Present },
        { "mh", SchedulerPresence.Present },
        { "twos", SchedulerPresence.Present },
        { "fo", SchedulerPresence.Present },
        { "nosuch", SchedulerPresence.Missing },
        { "r", SchedulerPresence.Missing },
    };

    /// <summary>Lines as Debian's 6.1 kernel writes them (modules.dep), a compressed module of a newer one, a builtin, and /proc/modules.</summary>
    [Theory]
    [MemberData(nameof(Schedulers))]
    public void A_scheduler_is_there_when_its_module_is_loaded_built_in_or_installed(string scheduler, SchedulerPresence expected)
    {
        const string dep = "kernel/net/netfilter/ipvs/ip_vs_rr.ko: kernel/net/netfilter/ipvs/ip_vs.ko kernel/net/netfilter/nf_conntrack.ko\n" +
            "kernel/net/netfilter/ipvs/ip_vs_mh.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko.xz\n" +
            "kernel/net/netfilter/ipvs/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko\n";
        const string builtin = "kernel/net/netfilter/ipvs/ip_vs_twos.ko\n";
        const string loaded = "ip_vs_fo 12288 0 - Live 0x0000000000000000\nip_vs 192512 2 ip_vs_fo, Live 0x0000000000000000\n";
        Assert.Equal(expected, IpvsSchedulers.Find(scheduler, loaded, dep, builtin));
    }

    [Fact]
    public void Without_module_lists_a_scheduler_that_is_not_loaded_is_unknown_not_missing()
    {
        Assert.Equal(SchedulerPresence.Unknown, IpvsSchedulers.Find("rr", "nf_tables 1 0 - Live 0x0\n", null, null));
        Assert.Equal(SchedulerPresence.Present, IpvsSchedulers.Find("rr", "ip_vs_rr 1 0 - Live 0x0\n", null, null));
    }

    [Fact]
    public void Check_names_a_missing_scheduler_and_the_services_that_use_it()
    {
        var settings = VipServicesTests.ReadFile("""
            actorvip { interface = eth0
              lb { enabled = on, scheduler = rr }
              addresses = ["192.0.2.99"], vips = [
              { address = "192.0.2.100", services = [ { protocol = udp, port = 53, scheduler = nosuch }, { port = 80 } ] } ] }
            """);
        var findings = Node.Hosting.HostCheck.Schedulers(settings, s => s == "rr" ? SchedulerPresence.Present : SchedulerPresence.Missing);
        Assert.Equal("ok       IPVS scheduler rr (module ip_vs_rr)", findings[1].ToString());
        Assert.False(findings[0].Ok);
        Assert.StartsWith("missing  IPVS scheduler nosuch: this kernel has no module ip_vs_nosuch (used by 192.0.2.100 udp 53)", findings[0].ToString());
    }

    /// <summary>A kernel whose first read is from before another party deleted a service (the IpvsActor, at stop).</summary>
    private sealed class StaleFirstRead(IpvsRecorder kernel, IpvsTable before) : Node.Drivers.IIpvsDriver
    {
        private bool _read;

        public IpvsTable List()
        {
            if (_read) return kernel.List();
            _read = true;
            return before;
        }

        public void Execute(IReadOnlyList<IpvsOperation> operations) => kernel.Execute(operations);
    }

    [Fact]
    public void A_stale_service_deleted_by_someone_else_meanwhile_does_not_fail_the_removal_of_the_others()
    {
        var gone = new IpvsService(IpvsServiceKey.Tcp(Vip4, 80), new IpvsServiceSettings("rr"));
        var left = new IpvsService(IpvsServiceKey.Udp(Vip4, 53), new IpvsServiceSettings("rr"));
        var kernel = new IpvsRecorder(new IpvsTable([left]));
        var removed = StaleServices.Remove(new StaleFirstRead(kernel, new IpvsTable([gone, left])), [Vip4]);
        Assert.Equal([left.Key], removed);
        Assert.Equal(0, kernel.Table.Count);
    }
}
