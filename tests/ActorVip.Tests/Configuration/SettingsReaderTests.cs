using System.Collections;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

public class SettingsReaderTests
{
    private static NodeSettings Read(HoconOverrides flags, IDictionary? env = null, string? file = null) =>
        SettingsReader.Read(ConfigSources.Compose(file, env ?? new Hashtable(), flags));

    [Fact]
    public void Reference_defaults_are_valid_and_documented_values()
    {
        var s = Read(new HoconOverrides());
        Assert.Equal(1, s.Nodes);
        Assert.Equal(1, s.Lease.Majority);
        Assert.Equal(TimeSpan.FromMilliseconds(700), s.Lease.LeaseTime);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.Lease.RenewInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.Lease.Margin);
        Assert.Equal(TimeSpan.FromSeconds(2), s.Address.ValidLifetime);
        Assert.Equal(ForwardingMethod.Local, s.LoadBalancer.Method);
        Assert.Equal(6443, s.LoadBalancer.BackendPort);
        Assert.Empty(s.Vips);
    }

    [Fact]
    public void Address_without_prefix_gets_host_prefix_for_each_family()
    {
        var s = Read(new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", ["192.0.2.10", "2001:db8::10", "198.51.100.7/24"]));
        Assert.Equal(["192.0.2.10/32", "2001:db8::10/128", "198.51.100.7/24"], s.Vips.Select(v => v.ToString()));
    }

    [Fact]
    public void Later_sources_win_file_then_environment_then_flags()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "actorvip { interface = \"from-file\", nodes = 3, seeds = [\"192.0.2.1:4053\"], node-address = \"192.0.2.1:4053\" }");
            var env = new Hashtable { ["ACTORVIP_INTERFACE"] = "from-env", ["ACTORVIP_NODES"] = "2", ["ACTORVIP_SEEDS"] = "192.0.2.1:4053, 192.0.2.2:4053" };
            var fromFileAndEnv = Read(new HoconOverrides(), env, file);
            Assert.Equal("from-env", fromFileAndEnv.Interface);
            Assert.Equal(2, fromFileAndEnv.Nodes);
            Assert.Equal(["192.0.2.1:4053", "192.0.2.2:4053"], fromFileAndEnv.Seeds.Select(e => e.ToString()));
            Assert.Equal("192.0.2.1", fromFileAndEnv.NodeAddress.Host);

            var withFlag = Read(new HoconOverrides().Set("actorvip.interface", "flag0"), env, file);
            Assert.Equal("flag0", withFlag.Interface);
            Assert.Equal(2, withFlag.Nodes);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        // setting path, bad value, the words the one-line message must contain
        { "actorvip.addresses", "300.1.2.3", "'300.1.2.3' is not an IPv4 or IPv6 address" },
        { "actorvip.addresses", "192.0.2.10/33", "'33' is not a valid prefix length for 192.0.2.10 (expected 1 to 32)" },
        { "actorvip.addresses", "2001:db8::1/129", "'129' is not a valid prefix length for 2001:db8::1 (expected 1 to 128)" },
        { "actorvip.addresses", "192.0.2.10/x", "'x' is not a valid prefix length" },
        { "actorvip.addresses", "224.0.0.5", "cannot be a virtual IP" },
        { "actorvip.addresses", "eth0", "'eth0' is not an IPv4 or IPv6 address" },
        { "actorvip.interface", "this-name-is-too-long", "'this-name-is-too-long' is not a valid interface name" },
        { "actorvip.interface", "eth/0", "'eth/0' is not a valid interface name" },
        { "actorvip.interface", "eth 0", "'eth 0' is not a valid interface name" },
        { "actorvip.node-address", "192.0.2.1", "'192.0.2.1' is not HOST:PORT" },
        { "actorvip.node-address", "192.0.2.1:0", "'0' in '192.0.2.1:0' is not a port (expected 1 to 65535)" },
        { "actorvip.node-address", "192.0.2.1:70000", "'70000' in '192.0.2.1:70000' is not a port" },
        { "actorvip.node-address", "bad_host:4053", "'bad_host' in 'bad_host:4053' is not a host name" },
        { "actorvip.seeds", "192.0.2.1:abc", "seed: 'abc' in '192.0.2.1:abc' is not a port" },
        { "actorvip.nodes", "0", "nodes: '0' is not a valid number of voting nodes (expected 1 to 9" },
        { "actorvip.nodes", "three", "nodes: 'three' is not a whole number" },
        { "actorvip.lb.fwdmethod", "nat2", "lb.fwdmethod: 'nat2' is not a forwarding method (expected one of local, masquerade, tunnel, directroute, bypass)" },
        { "actorvip.lb.port", "99999", "lb.port: '99999' is not a port (expected 1 to 65535)" },
        { "actorvip.lb.scheduler", "Round Robin", "lb.scheduler: 'Round Robin' is not an IPVS scheduler name" },
        { "actorvip.lease.lease-time", "soon", "lease.lease-time: 'soon' is not a duration" },
        { "actorvip.lease.renew-interval", "500ms", "lease.renew-interval: 500ms is not less than half of lease.lease-time (700ms)" },
        // Exactly half passed the reader and crashed the lease after the kernel was touched: one rule now, LeaseSettings's.
        { "actorvip.lease.renew-interval", "350ms", "lease.renew-interval: 350ms is not less than half of lease.lease-time (700ms)" },
        { "actorvip.lease.lease-time", "40ms", "lease.lease-time: 40ms is too short (expected at least 50ms" },
        { "actorvip.actor-loop.startup-grace", "a while", "actor-loop.startup-grace: 'a while' is not a duration" },
        { "actorvip.address.valid-lifetime", "1500ms", "address.valid-lifetime: '1500 ms' is not whole seconds of at least 2 s" },
        { "actorvip.fence.enabled", "maybe", "fence.enabled: 'maybe' is not on/off" },
        { "actorvip.lb.health.kind", "icmp", "lb.health.kind: 'icmp' is not a health check (expected tcp, http, https, udp or none)" },
        { "actorvip.lb.health.path", "readyz", "lb.health.path: 'readyz' is not an HTTP path (expected e.g. /readyz)" },
        { "actorvip.lb.health.timeout", "2s", "lb.health.timeout: 2000 ms is longer than lb.health.interval (1000 ms)" },
        { "actorvip.lb.health.rise", "0", "lb.health.rise: '0' is not a count of successes (expected 1 to 100)" },
        { "actorvip.lb.health.fall", "x", "lb.health.fall: 'x' is not a whole number" },
        { "actorvip.lb.health.on-failure", "drop", "lb.health.on-failure: 'drop' is not an action (expected weight-zero or remove)" },
        { "actorvip.lb.health.keep-vip-when-none-healthy", "sometimes", "lb.health.keep-vip-when-none-healthy: 'sometimes' is not on/off" },
        { "actorvip.lb.health.move-vip-after", "later", "lb.health.move-vip-after: 'later' is not a duration" },
        { "actorvip.lb.member-backends", "perhaps", "lb.member-backends: 'perhaps' is not on/off" },
        { "actorvip.notify.command", "vip-notify.sh", "notify.command: 'vip-notify.sh' is not an absolute path (expected the executable's full path" },
        { "actorvip.notify.command", "/nonexistent/vip-notify", "notify.command: '/nonexistent/vip-notify' does not exist or is not a file" },
        { "actorvip.notify.command", "/etc/passwd", "notify.command: '/etc/passwd' is not executable (expected chmod +x /etc/passwd)" },
        { "actorvip.notify.timeout", "soon", "notify.timeout: 'soon' is not a duration" },
        { "actorvip.notify.timeout", "1h", "notify.timeout: 3600 s is longer than 10 minutes" },
    };

    [Fact]
    public void Health_defaults_are_the_documented_ones_and_each_setting_is_read()
    {
        Assert.Equal(HealthSettings.Default, Read(new HoconOverrides()).LoadBalancer.HealthCheck);
        var h = Read(new HoconOverrides()
            .Set("actorvip.lb.health.kind", "https").Set("actorvip.lb.health.path", "/livez").Set("actorvip.lb.health.insecure-skip-verify", "on")
            .Set("actorvip.lb.health.interval", "2s").Set("actorvip.lb.health.timeout", "1s").Set("actorvip.lb.health.rise", "3")
            .Set("actorvip.lb.health.fall", "4").Set("actorvip.lb.health.on-failure", "remove")
            .Set("actorvip.lb.health.keep-vip-when-none-healthy", "off").Set("actorvip.lb.health.move-vip-after", "7s")).LoadBalancer.HealthCheck;
        Assert.Equal(new HealthSettings(HealthCheckKind.Https, "/livez", true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, 4,
            HealthFailureAction.Remove, false, TimeSpan.FromSeconds(7)), h);
    }

    [Fact]
    public void Local_refuses_a_different_backend_port()
    {
        var flags = new HoconOverrides().Set("actorvip.lb.fwdmethod", "local").Set("actorvip.lb.port", "6443").Set("actorvip.lb.backend-port", "8443");
        var e = Assert.Throws<ConfigException>(() => Read(flags));
        Assert.Contains("local forwarding delivers the packet unchanged", e.Message);
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Each_bad_input_gives_one_line_naming_the_value_and_what_is_expected(string path, string value, string expected)
    {
        var flags = new HoconOverrides().Set("actorvip.interface", "eth0");
        if (path is "actorvip.addresses" or "actorvip.seeds") flags.SetList(path, [value]);
        else flags.Set(path, value);
        if (path == "actorvip.seeds") flags.Set("actorvip.nodes", "1");
        var e = Assert.Throws<ConfigException>(() => Read(flags));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Directroute_refuses_a_different_backend_port()
    {
        var flags = new HoconOverrides().Set("actorvip.lb.fwdmethod", "directroute").Set("actorvip.lb.port", "6443").Set("actorvip.lb.backend-port", "8443");
        var e = Assert.Throws<ConfigException>(() => Read(flags));
        Assert.Contains("directroute cannot change the port", e.Message);
    }

    [Fact]
    public void A_cluster_without_seeds_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides().Set("actorvip.nodes", "3")));
        Assert.Contains("seed: none given for a cluster of 3 nodes", e.Message);
    }

    [Fact]
    public void The_seeds_are_the_voters_so_their_count_must_match_nodes()
    {
        var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides().Set("actorvip.nodes", "3").SetList("actorvip.seeds", ["192.0.2.1:4053",
            "192.0.2.2:4053"])));
        Assert.Contains("seed: 2 given for --nodes 3", e.Message);
    }

    [Fact]
    public void A_vip_without_an_interface_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides().SetList("actorvip.addresses", ["192.0.2.10"])));
        Assert.Contains("interface: not set", e.Message);
    }

    [Fact]
    public void Broken_hocon_in_the_config_file_is_one_line_naming_the_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "actorvip { nodes = ${no.such.path} }");
            var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides(), file: file));
            Assert.StartsWith($"config file '{file}' line 1: substitutions (${{...}}) are not supported", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_misspelt_setting_is_named_instead_of_silently_ignored()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "actorvip { interfce = eth0 }");
            var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides(), file: file));
            Assert.Equal("actorvip.interfce: unknown setting (see hocon/reference.conf for every setting)", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides(), file: "/nonexistent/actorvip.conf"));
        Assert.StartsWith("cannot read config file '/nonexistent/actorvip.conf'", e.Message);
    }

    [Fact]
    public void Flag_values_are_quoted_so_they_cannot_inject_hocon()
    {
        var e = Assert.Throws<ConfigException>(() => Read(new HoconOverrides().Set("actorvip.interface", "x\"\nactorvip.nodes = 0")));
        Assert.Contains("is not a valid interface name", e.Message);
    }
}
