using System.Collections;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>kube-vip's environment names: what they set, their place among the sources, and the warnings for the rest.</summary>
public class KubeVipEnvironmentTests
{
    private static NodeSettings Read(IDictionary env, HoconOverrides? flags = null, string? file = null) =>
        SettingsReader.Read(ConfigSources.Compose(file, env, flags ?? new HoconOverrides()));

    private static Hashtable KubeVipManifestEnv() => new()
    {
        ["vip_interface"] = "kv0",
        ["address"] = "192.0.2.100",
        ["vip_subnet"] = "32",
        ["port"] = "6443",
        ["lb_enable"] = "true",
        ["lb_port"] = "8443",
        ["lb_fwdmethod"] = "masquerade",
        ["vip_arp"] = "true",
        ["vip_arpRate"] = "3000",
        ["prometheus_server"] = ":2112",
    };

    [Fact]
    public void Kube_vip_names_override_the_config_file_and_flags_override_them()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                actorvip {
                  interface = "file0"
                  addresses = ["198.51.100.1"]
                  announce.refresh-interval = 10s
                  metrics-address = "127.0.0.1:9000"
                  lb { enabled = off, port = 7000, backend-port = 7001, fwdmethod = local }
                }
                """);
            var fromEnv = Read(KubeVipManifestEnv(), file: file);
            Assert.Equal("kv0", fromEnv.Interface);
            Assert.Equal(["192.0.2.100/32"], fromEnv.Vips.Select(v => v.ToString()));
            Assert.True(fromEnv.LoadBalancer.Enabled);
            Assert.Equal(8443, fromEnv.LoadBalancer.Port);
            Assert.Equal(6443, fromEnv.LoadBalancer.BackendPort);
            Assert.Equal(ForwardingMethod.Masquerade, fromEnv.LoadBalancer.Method);
            Assert.Equal(TimeSpan.FromMilliseconds(3000), fromEnv.Announce.RefreshInterval);
            Assert.Equal(":2112", fromEnv.MetricsAddress);

            var flags = new HoconOverrides().Set("actorvip.interface", "flag0").SetList("actorvip.addresses", ["203.0.113.9"])
                .Set("actorvip.lb.port", "9443").Set("actorvip.lb.fwdmethod", "tunnel").Set("actorvip.lb.backend-port", "9443");
            var withFlags = Read(KubeVipManifestEnv(), flags, file);
            Assert.Equal("flag0", withFlags.Interface);
            Assert.Equal(["203.0.113.9/32"], withFlags.Vips.Select(v => v.ToString()));
            Assert.Equal(9443, withFlags.LoadBalancer.Port);
            Assert.Equal(ForwardingMethod.Tunnel, withFlags.LoadBalancer.Method);
            Assert.Equal(TimeSpan.FromMilliseconds(3000), withFlags.Announce.RefreshInterval); // no flag for it: the env value stays
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Actorvip_variables_win_over_kube_vip_names_for_the_same_setting()
    {
        var env = KubeVipManifestEnv();
        env["ACTORVIP_INTERFACE"] = "av0";
        env["ACTORVIP_ADDRESS"] = "192.0.2.7";
        env["ACTORVIP_METRICS_ADDRESS"] = "127.0.0.1:9100";
        var s = Read(env);
        Assert.Equal("av0", s.Interface);
        Assert.Equal(["192.0.2.7/32"], s.Vips.Select(v => v.ToString()));
        Assert.Equal("127.0.0.1:9100", s.MetricsAddress);
        Assert.Equal(8443, s.LoadBalancer.Port); // not named by ACTORVIP_*: kube-vip's lb_port still applies
    }

    [Theory]
    [InlineData("address", "192.0.2.100", null, "192.0.2.100/32")]
    [InlineData("address", "192.0.2.100", "24", "192.0.2.100/24")]
    [InlineData("vip_address", "192.0.2.100", "28", "192.0.2.100/28")]
    [InlineData("address", "192.0.2.100,2001:db8::100", "32,128", "192.0.2.100/32 2001:db8::100/128")]
    [InlineData("address", "192.0.2.100,2001:db8::100", null, "192.0.2.100/32 2001:db8::100/128")]
    [InlineData("address", "192.0.2.101/30", "32", "192.0.2.101/30")]
    public void The_address_takes_its_prefix_from_vip_subnet(string name, string address, string? subnet, string expected)
    {
        var env = new Hashtable { ["vip_interface"] = "eth0", [name] = address };
        if (subnet is not null) env["vip_subnet"] = subnet;
        Assert.Equal(expected, string.Join(' ', Read(env).Vips.Select(v => v.ToString())));
    }

    [Fact]
    public void Vip_cidr_is_the_older_name_of_vip_subnet()
    {
        var env = new Hashtable { ["vip_interface"] = "eth0", ["address"] = "192.0.2.100", ["vip_cidr"] = "29" };
        Assert.Equal("192.0.2.100/29", Read(env).Vips.Single().ToString());
    }

    [Theory]
    [InlineData("vip_arpRate", "3s", "vip_arpRate: '3s' is not a whole number of milliseconds (expected e.g. 3000)")]
    [InlineData("vip_arpRate", "0", "vip_arpRate: '0' is not a whole number of milliseconds")]
    [InlineData("lb_fwdmethod", "direct", "lb.fwdmethod: 'direct' is not a forwarding method")]
    [InlineData("lb_port", "70000", "lb.port: '70000' is not a port")]
    [InlineData("prometheus_server", "2112", "metrics-address: '2112' is not HOST:PORT")]
    [InlineData("address", "vip.example.org", "address: 'vip.example.org' is not an IPv4 or IPv6 address")]
    public void A_bad_kube_vip_value_is_one_clear_error(string name, string value, string expected)
    {
        var env = new Hashtable { ["vip_interface"] = "eth0", [name] = value };
        var e = Assert.Throws<ConfigException>(() => Read(env));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Vip_subnet_with_a_prefix_count_that_fits_no_address_list_is_refused()
    {
        var env = new Hashtable { ["vip_interface"] = "eth0", ["address"] = "192.0.2.100,192.0.2.101,192.0.2.102", ["vip_subnet"] = "32,32" };
        var e = Assert.Throws<ConfigException>(() => Read(env));
        Assert.StartsWith("vip_subnet: '32,32' gives 2 prefixes for 3 addresses", e.Message);
    }

    [Fact]
    public void An_unsupported_name_gives_one_warning_line_naming_it()
    {
        var warnings = KubeVipEnvironment.Warnings(new Hashtable { ["vip_leaseduration"] = "5" });
        var line = Assert.Single(warnings);
        Assert.StartsWith("actorvip: warning: kube-vip setting vip_leaseduration is ignored: ", line);
        Assert.Contains("quorum lease", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void A_typical_kube_vip_manifest_warns_once_for_each_lease_and_mode_name_and_never_for_the_supported_ones()
    {
        var env = KubeVipManifestEnv();
        foreach (var name in new[] { "vip_leaderelection", "vip_leaseduration", "vip_renewdeadline", "vip_retryperiod", "cp_enable",
            "svc_enable", "vip_nodename" })
            env[name] = "x";
        var warnings = KubeVipEnvironment.Warnings(env);
        Assert.Equal(7, warnings.Count);
        Assert.Equal(7, warnings.Select(w => w.Split(' ')[4]).Distinct().Count());
        foreach (var supported in KubeVipManifestEnv().Keys.Cast<string>())
            Assert.DoesNotContain(warnings, w => w.Contains($" {supported} "));
        Assert.Empty(KubeVipEnvironment.Warnings(KubeVipManifestEnv()));
    }

    [Fact]
    public void Vip_arp_false_is_warned_about_because_announcing_cannot_be_switched_off()
    {
        var line = Assert.Single(KubeVipEnvironment.Warnings(new Hashtable { ["vip_arp"] = "false" }));
        Assert.StartsWith("actorvip: warning: kube-vip setting vip_arp=false is ignored", line);
    }

    [Fact]
    public void Metrics_address_defaults_to_loopback()
    {
        Assert.Equal("127.0.0.1:2112", Read(new Hashtable()).MetricsAddress);
    }

    [Fact]
    public void Docs_kube_vip_table_names_every_name_the_code_knows()
    {
        var doc = File.ReadAllText(RepositoryFiles.Path("docs", "KUBE-VIP.md"));
        var names = KubeVipEnvironment.Direct.Keys.Concat(KubeVipEnvironment.Converted).Concat(KubeVipEnvironment.Ignored.Keys);
        Assert.All(names, name => Assert.Contains($"| `{name}` |", doc));
    }
}
