using System.Collections;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;

namespace ActorVip.Tests.Configuration;

/// <summary>actorvip.vips: VIP objects with their own services, read into VipConfig and ServiceConfig and validated in one place.</summary>
public class VipServicesTests
{
    /// <summary>Reads a config file holding <paramref name="hocon"/>, as `--config FILE` would.</summary>
    internal static NodeSettings ReadFile(string hocon, HoconOverrides? flags = null)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, hocon);
            return SettingsReader.Read(ConfigSources.Compose(file, new Hashtable(), flags ?? new HoconOverrides()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Three voting nodes, this one the first.</summary>
    internal const string Voters = "nodes = 3\nnode-address = \"192.0.2.11:4053\"\nseeds = [\"192.0.2.11:4053\", \"192.0.2.12:4053\", \"192.0.2.13:4053\"]";

    private static string Vips(string vips, string extra = "") => $"actorvip {{ interface = eth0\n{extra}\nvips = [ {vips} ] }}";

    [Fact]
    public void A_vip_carries_tcp_and_udp_on_one_port_several_ports_and_a_fwmark_each_with_its_own_settings()
    {
        var s = ReadFile(Vips("""
            {
              address = "192.0.2.100/32"
              services = [
                { protocol = tcp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12:5353"], backend-port = 5300 }
                { protocol = udp, port = 53, fwdmethod = directroute, scheduler = sh, scheduler-flags = ["sh-port"], backends = ["198.51.100.11"] }
                { port = 443, fwdmethod = tunnel, persistence = 600s, persistence-netmask = 24, member-backends = on,
                  health { kind = https, path = "/healthz", status = "200-399", interval = 2s } }
                { protocol = udp, port = 5060, fwdmethod = masquerade, one-packet = on, backends = ["198.51.100.13:5060"],
                  health { request = "hex:0001", expect = "pong", port = 5061 } }
                { fwmark = 7, fwdmethod = directroute, backends = ["198.51.100.11"], health { kind = none } }
              ]
            }
            """));
        var vip = Assert.Single(s.Vips);
        Assert.Equal("192.0.2.100/32", vip.ToString());
        Assert.Equal(["tcp 53", "udp 53", "tcp 443", "udp 5060", "fwmark 7"], vip.Services.Select(x => x.Name));

        var tcp53 = vip.Services[0];
        Assert.Equal((IpvsProtocol.Tcp, 53, 5300, ForwardingMethod.Masquerade, "rr"),
            (tcp53.Protocol, tcp53.Port, tcp53.BackendPort, tcp53.Method, tcp53.Scheduler));
        // A backend without a port takes the service's backend port.
        Assert.Equal([new Endpoint("198.51.100.11", 5300), new Endpoint("198.51.100.12", 5353)], tcp53.Backends);
        Assert.Equal(HealthCheckKind.Tcp, tcp53.Health.Kind);
        Assert.False(tcp53.MemberBackends);

        var udp53 = vip.Services[1];
        Assert.Equal(IpvsServiceKey.Udp(vip.Address, 53), udp53.KeyFor(vip.Address));
        Assert.Equal(new IpvsServiceSettings("sh", SchedulerFlags: SchedulerFlags.Flag2), udp53.IpvsSettings);
        // A UDP service checks with UDP unless it says otherwise; everything else of the check comes from actorvip.lb.health.
        Assert.Equal(HealthSettings.Default with { Kind = HealthCheckKind.Udp }, udp53.Health);

        var https = vip.Services[2];
        Assert.Equal(new IpvsServiceSettings("rr", true, 600, 24), https.IpvsSettings);
        Assert.True(https.MemberBackends);
        Assert.Equal((HealthCheckKind.Https, "/healthz", 200, 399, TimeSpan.FromSeconds(2)),
            (https.Health.Kind, https.Health.Path, https.Health.StatusMin, https.Health.StatusMax, https.Health.Interval));

        var sip = vip.Services[3];
        Assert.True(sip.OnePacket);
        Assert.Equal(("hex:0001", "pong", 5061), (sip.Health.Request, sip.Health.Expect, sip.Health.Port));

        var mark = vip.Services[4];
        Assert.Equal(IpvsServiceKey.ForFirewallMark(7), mark.KeyFor(vip.Address));
        Assert.Equal((0, 0), (mark.Port, mark.BackendPort));
        Assert.Equal([new Endpoint("198.51.100.11", 0)], mark.Backends);
        Assert.Equal(HealthCheckKind.None, mark.Health.Kind);
    }

    [Fact]
    public void A_service_takes_method_scheduler_and_health_from_actorvip_lb_but_never_its_port_or_backends()
    {
        var s = ReadFile(Vips("""{ address = "192.0.2.100", services = [ { port = 80 } ] }""",
            "lb { fwdmethod = masquerade, scheduler = wlc, port = 6443, backends = [\"198.51.100.9:6443\"], health { interval = 3s, kind = http } }"));
        var service = s.Vips.Single().Services.Single();
        Assert.Equal((ForwardingMethod.Masquerade, "wlc", 80, 80), (service.Method, service.Scheduler, service.Port, service.BackendPort));
        Assert.Empty(service.Backends);
        Assert.False(service.MemberBackends);
        Assert.Equal((HealthCheckKind.Http, TimeSpan.FromSeconds(3)), (service.Health.Kind, service.Health.Interval));
    }

    [Fact]
    public void An_sctp_service_checks_nothing_unless_told()
    {
        var s = ReadFile(Vips("""
            { address = "2001:db8::100", services = [ { protocol = sctp, port = 3868, fwdmethod = masquerade, backends = ["[2001:db8::11]:3868"] } ] }
            """));
        var service = s.Vips.Single().Services.Single();
        Assert.Equal(IpvsServiceKey.Sctp(s.Vips[0].Address, 3868), service.KeyFor(s.Vips[0].Address));
        Assert.Equal(HealthCheckKind.None, service.Health.Kind);
    }

    [Fact]
    public void Addresses_keep_working_and_get_actorvip_lb_as_their_one_service_while_it_is_enabled()
    {
        const string vips = """
            { address = "192.0.2.101", services = [ { protocol = udp, port = 53, fwdmethod = masquerade } ] }, { address = "192.0.2.102" }
            """;
        var on = ReadFile(Vips(vips, "addresses = [\"192.0.2.100\"]\nlb { enabled = on, port = 6443, fwdmethod = masquerade }"));
        Assert.Equal(["192.0.2.100/32", "192.0.2.101/32", "192.0.2.102/32"], on.Vips.Select(v => v.ToString()));
        Assert.Equal(["tcp 6443"], on.ServicesOf(on.Vips[0]).Select(x => x.Name));
        Assert.Equal(["udp 53"], on.ServicesOf(on.Vips[1]).Select(x => x.Name));
        Assert.Equal(["tcp 6443"], on.ServicesOf(on.Vips[2]).Select(x => x.Name));
        Assert.Equal(ServiceConfig.FromLoadBalancer(on.LoadBalancer), on.ServicesOf(on.Vips[0]).Single());

        // Declared services are balanced whatever lb.enabled says; the others balance nothing without it.
        var off = ReadFile(Vips(vips, "addresses = [\"192.0.2.100\"]"));
        Assert.Empty(off.ServicesOf(off.Vips[0]));
        Assert.Equal(["udp 53"], off.ServicesOf(off.Vips[1]).Select(x => x.Name));
        Assert.True(off.Balances);
        Assert.False(ReadFile(Vips("""{ address = "192.0.2.102" }""")).Balances);
    }

    [Fact]
    public void The_same_fwmark_on_two_families_is_two_services()
    {
        var s = ReadFile(Vips("""
            { address = "192.0.2.100", services = [ { fwmark = 7, fwdmethod = directroute, health { kind = none } } ] },
            { address = "2001:db8::100", services = [ { fwmark = 7, fwdmethod = directroute, health { kind = none } } ] }
            """));
        Assert.Equal(2, s.Services.Select(p => p.Service.KeyFor(p.Vip.Address)).Distinct().Count());
    }

    public static TheoryData<string, string, string> BadServices => new()
    {
        // extra settings, the vips list, the words the one-line message must contain
        { "", """{ address = "192.0.2.100", services = [ { protocol = icmp, port = 80 } ] }""",
            "vips[0].services[0].protocol: 'icmp' is not a protocol (expected tcp, udp or sctp)" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80 }, { protocol = udp, port = 70000 } ] }""",
            "vips[0].services[1].port: '70000' is not a port (expected 1 to 65535)" },
        { "", """{ address = "192.0.2.100", services = [ { port = 0 } ] }""", "vips[0].services[0].port: '0' is not a port (expected 1 to 65535)" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, backend-port = -1, fwdmethod = masquerade } ] }""",
            "vips[0].services[0].backend-port: '-1' is not a port" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, fwmark = 7 } ] }""",
            "vips[0].services[0]: port 80 and fwmark 7 are both set (expected one of them" },
        { "", """{ address = "192.0.2.100", services = [ { protocol = udp } ] }""", "vips[0].services[0].port: not set (expected the VIP port" },
        { "", """{ address = "192.0.2.100", services = [ { fwmark = 0 } ] }""",
            "vips[0].services[0].fwmark: '0' is not a firewall mark (expected 1 to 4294967295)" },
        { "", """{ address = "192.0.2.100", services = [ { protocol = udp, fwmark = 3 } ] }""",
            "vips[0].services[0].protocol: udp is set on a fwmark service" },
        { "", """{ address = "192.0.2.100" }, { address = "192.0.2.100/24" }""",
            "vips[1].address: 192.0.2.100 is already a VIP in vips[0] (expected each VIP once" },
        { "addresses = [\"192.0.2.100\"]", """{ address = "192.0.2.100", services = [ { port = 80 } ] }""",
            "vips[0].address: 192.0.2.100 is already a VIP in addresses (expected each VIP once; give all its services in one vips entry" },
        { "", """{ address = "192.0.2.100", services = [ { protocol = udp, port = 53 }, { protocol = udp, port = 53, scheduler = wrr } ] }""",
            "vips[0].services[1]: udp 53 is declared twice for 192.0.2.100" },
        { "", """{ address = "192.0.2.100", services = [ { fwmark = 9, health.kind = none } ] }, { address = "192.0.2.101", services = [ { fwmark = 9 } ] }""",
            "vips[1].services[0].fwmark: 9 is already the fwmark of vips[0].services[0]" },
        { "", """{ address = "192.0.2.100", servces = [] }""", "vips[0].servces: unknown setting (expected one of address, services" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, shceduler = rr } ] }""", "vips[0].services[0].shceduler: unknown setting" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, health { intreval = 1s } } ] }""",
            "vips[0].services[0].health.intreval: unknown setting" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, health { keep-vip-when-none-healthy = off } } ] }""",
            "vips[0].services[0].health.keep-vip-when-none-healthy: unknown setting" },
        { "", """{ services = [ { port = 80 } ] }""", "vips[0].address: not set" },
        { "", """{ address = "300.1.1.1" }""", "vips[0].address: '300.1.1.1' is not an IPv4 or IPv6 address" },
        { "", """ "192.0.2.100" """, "vips[0]: not a VIP (expected an object such as" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, fwdmethod = nat2 } ] }""",
            "vips[0].services[0].fwdmethod: 'nat2' is not a forwarding method" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, fwdmethod = directroute, backend-port = 8080 } ] }""",
            "vips[0].services[0].backend-port: 8080 differs from vips[0].services[0].port 80, but directroute cannot change the port" },
        { "", """{ address = "192.0.2.100", services = [ { fwmark = 4, fwdmethod = tunnel, backend-port = 8080, health { kind = none } } ] }""",
            "vips[0].services[0].backend-port: 8080 is set, but tunnel cannot change the port of a packet" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, scheduler = "Round Robin" } ] }""",
            "vips[0].services[0].scheduler: 'Round Robin' is not an IPVS scheduler name" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, scheduler-flags = ["sticky"] } ] }""",
            "vips[0].services[0].scheduler-flags: 'sticky' is not a scheduler flag" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, persistence = 1500ms } ] }""",
            "vips[0].services[0].persistence: '1500ms' is not whole seconds" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, persistence-netmask = 24 } ] }""",
            "vips[0].services[0].persistence-netmask: set without persistence" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, persistence = 60s, persistence-netmask = 33 } ] }""",
            "vips[0].services[0].persistence-netmask: '33' is not a prefix length for 192.0.2.100 (expected 1 to 32)" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, one-packet = on } ] }""", "vips[0].services[0].one-packet: on for a tcp service" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, fwdmethod = masquerade, backends = ["2001:db8::11"] } ] }""",
            "vips[0].services[0].backends: [2001:db8::11]:80 is IPv6 but the VIP 192.0.2.100 is IPv4" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, backends = ["198.51.100.1:99999"] } ] }""",
            "vips[0].services[0].backends: '99999' in '198.51.100.1:99999' is not a port" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, health { kind = udp } } ] }""",
            "vips[0].services[0].health.kind: udp checks a UDP service, and this one is tcp" },
        { "", """{ address = "192.0.2.100", services = [ { protocol = udp, port = 53, health { kind = ping } } ] }""",
            "vips[0].services[0].health.kind: 'ping' is not a health check" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, health { kind = http, status = "200-99" } } ] }""",
            "vips[0].services[0].health.status: '200-99' is not an HTTP status or range" },
        { "", """{ address = "192.0.2.100", services = [ { protocol = udp, port = 53, health { request = "hex:0g" } } ] }""",
            "vips[0].services[0].health.request: 'hex:0g' is not a payload" },
        { "", """{ address = "192.0.2.100", services = [ { port = 80, health { timeout = 5s } } ] }""",
            "vips[0].services[0].health.timeout: 5000 ms is longer than vips[0].services[0].health.interval (1000 ms)" },
        { "", """{ address = "192.0.2.100", services = [ { fwmark = 5, fwdmethod = directroute, backends = ["198.51.100.11"] } ] }""",
            "vips[0].services[0].health.port: not set, and the fwmark service's backends have no port to check" },
        { "lb.health.kind = udp", """{ address = "192.0.2.100" }""", "lb.health.kind: udp checks a UDP service, and actorvip.lb balances TCP" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.99:4053"] }""",
            "vips[0].preferred-nodes: 192.0.2.99:4053 is not a voter (expected nodes from the seeds, spelt as given: 192.0.2.11:4053, " +
            "192.0.2.12:4053, 192.0.2.13:4053)" },
        { VipServicesTests.Voters + "\naddresses = [\"192.0.2.50\"]",
            """{ address = "192.0.2.100" }, { address = "192.0.2.101", preferred-nodes = ["localhost:4053"] }""",
            "vips[1].preferred-nodes: localhost:4053 is not a voter" },
        { "", """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11:4053"] }""",
            "vips[0].preferred-nodes: 192.0.2.11:4053 is not a voter (expected nodes from the seeds, spelt as given: 127.0.0.1:4053)" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11"] }""",
            "vips[0].preferred-nodes: '192.0.2.11' is not HOST:PORT" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11:4053", "192.0.2.11:4053"] }""",
            "vips[0].preferred-nodes: a node is listed twice" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = "192.0.2.11:4053" }""",
            "vips[0].preferred-nodes: one value where a list is expected" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11:4053"], preempt = sometimes }""",
            "vips[0].preempt: 'sometimes' is not on/off" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preempt = on }""", "vips[0].preempt: on without preferred-nodes" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11:4053"], preempt = on, preempt-delay = soon }""",
            "vips[0].preempt-delay: 'soon' is not a duration" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferred-nodes = ["192.0.2.11:4053"], preempt-delay = 5s }""",
            "vips[0].preempt-delay: 5000 ms is set while preempt = off, so it would never apply" },
        // A VIP's own interface (issue 14 §6), by the node interface's rule.
        { "", """{ address = "198.51.100.10", interface = "" }""",
            "vips[0].interface: '' is not a valid interface name (expected 1 to 15 characters without '/', ':' or spaces, e.g. eth0)" },
        { "", """{ address = "192.0.2.10" }, { address = "198.51.100.10", interface = "this-name-is-too-long" }""",
            "vips[1].interface: 'this-name-is-too-long' is not a valid interface name (expected 1 to 15 characters" },
        { "", """{ address = "198.51.100.10", interface = "eth/1" }""", "vips[0].interface: 'eth/1' is not a valid interface name" },
        { "", """{ address = "198.51.100.10", interface = "eth 1" }""", "vips[0].interface: 'eth 1' is not a valid interface name" },
        { "", """{ address = "198.51.100.10", interface = "eth1:0" }""", "vips[0].interface: 'eth1:0' is not a valid interface name" },
        { "", """{ address = "198.51.100.10", interface = [eth1] }""", "vips[0].interface: " },
        { "", """{ address = "198.51.100.10", intreface = eth1 }""", "vips[0].intreface: unknown setting (expected one of address, services" },
        { VipServicesTests.Voters, """{ address = "192.0.2.100", preferd-nodes = [] }""",
            "vips[0].preferd-nodes: unknown setting (expected one of address, services, preferred-nodes, preempt, preempt-delay" },
    };

    [Theory]
    [MemberData(nameof(BadServices))]
    public void Each_bad_vip_or_service_gives_one_line_naming_the_setting_the_value_and_the_fix(string extra, string vips, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ReadFile(Vips(vips, extra)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Vips_that_is_not_a_list_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ReadFile("actorvip { interface = eth0, vips = \"192.0.2.100\" }"));
        Assert.StartsWith("vips: not a list", e.Message);
    }

    [Fact]
    public void Vip_configs_compare_by_value_services_included()
    {
        const string text = """{ address = "192.0.2.100", services = [ { port = 80, backends = ["198.51.100.11"] } ] }""";
        Assert.Equal(ReadFile(Vips(text)).Vips, ReadFile(Vips(text)).Vips);
        Assert.NotEqual(ReadFile(Vips(text)).Vips[0], ReadFile(Vips(text.Replace(".11", ".12", StringComparison.Ordinal))).Vips[0]);
        Assert.Equal(new VipConfig(VipAddress.Parse("192.0.2.100")), (VipConfig)VipAddress.Parse("192.0.2.100"));
    }

    [Fact]
    public void The_example_of_docs_load_balancing_reads_as_it_says()
    {
        var doc = File.ReadAllText(RepositoryFiles.Path("docs", "LOAD-BALANCING.md"));
        var start = doc.IndexOf("```hocon\n", StringComparison.Ordinal) + "```hocon\n".Length;
        var example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var s = ReadFile(example, new HoconOverrides().Set("actorvip.lb.enabled", "on"));
        Assert.Equal(["192.0.2.10/32", "192.0.2.100/32", "2001:db8::100/128"], s.Vips.Select(v => v.ToString()));
        Assert.Equal(["tcp 6443"], s.ServicesOf(s.Vips[0]).Select(x => x.Name));
        Assert.Equal(["tcp 53", "udp 53", "tcp 443"], s.Vips[1].Services.Select(x => x.Name));
        var dns = s.Vips[1].Services[1].Health;
        Assert.Equal(HealthCheckKind.Udp, dns.Kind);
        Assert.StartsWith("hex:abcd81", dns.Expect);
        Assert.Equal("fwmark 7", s.Vips[2].Services.Single().Name);
    }

    [Fact]
    public void Only_a_vip_that_balances_the_default_service_moves_on_the_nodes_health_reports()
    {
        var s = ReadFile(Vips("""{ address = "192.0.2.101", services = [ { protocol = udp, port = 53, fwdmethod = masquerade } ] }""",
            "addresses = [\"192.0.2.100\"]\nlb { enabled = on, fwdmethod = masquerade, health.keep-vip-when-none-healthy = off }"));
        Assert.Equal([("192.0.2.100", true), ("192.0.2.101", false)], Node.Hosting.NodeRuntime.VipSpecs(s).Select(v => (v.Vip, v.MoveWhenNoneHealthy)));
    }
}
