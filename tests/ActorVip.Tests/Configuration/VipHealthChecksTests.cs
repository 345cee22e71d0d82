using System.Net;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>health-checks and when-none-healthy (issue 14 §1): node-wide and per VIP, read into VipConfig and validated once.</summary>
public class VipHealthChecksTests
{
    private static NodeSettings Read(string body) => VipServicesTests.ReadFile($"actorvip {{ interface = eth0\n{body}\n}}");

    [Fact]
    public void Node_wide_checks_apply_to_every_vip_that_gives_none_and_a_vip_object_replaces_them()
    {
        var s = Read("""
            addresses = ["192.0.2.10"]
            health-checks = [ { type = tcp, port = 6443 } ]
            vips = [
              { address = "192.0.2.11" }
              { address = "192.0.2.12", when-none-healthy = release, health-checks = [
                  { type = https, url = "https://127.0.0.1:6443/readyz?verbose", insecure-skip-verify = on, interval = 2s, fall = 3 }
                  { type = http, url = "http://[::1]:10256/healthz", expect-status = 200 }
                  { type = exec, command = "/usr/local/bin/check", args = ["--quick", "a b"], timeout = 200ms } ] }
              { address = "192.0.2.13", health-checks = [] }
            ]
            """);
        Assert.Equal(4, s.Vips.Count);
        var tcp = Assert.Single(s.Vips[0].Checks);
        Assert.Equal((HealthCheckKind.Tcp, IPAddress.Loopback, 6443, "tcp 127.0.0.1:6443"), (tcp.Health.Kind, tcp.Host, tcp.Health.Port, tcp.Name));
        // interval, timeout, rise, fall default to lb.health's.
        Assert.Equal((HealthSettings.Default.Interval, HealthSettings.Default.Timeout, 2, 2),
            (tcp.Health.Interval, tcp.Health.Timeout, tcp.Health.Rise, tcp.Health.Fall));
        Assert.Equal(s.Vips[0].Checks, s.Vips[1].Checks);
        Assert.False(s.Vips[0].ReleaseWhenNoneHealthy);

        var own = s.Vips[2];
        Assert.True(own.ReleaseWhenNoneHealthy);
        Assert.Equal(3, own.Checks.Count);
        var https = own.Checks[0];
        Assert.Equal((HealthCheckKind.Https, "/readyz?verbose", 6443, true, TimeSpan.FromSeconds(2), 3, 200, 399),
            (https.Health.Kind, https.Health.Path, https.Health.Port, https.Health.AcceptAnyCertificate, https.Health.Interval, https.Health.Fall,
                https.Health.StatusMin, https.Health.StatusMax));
        Assert.Equal((IPAddress.IPv6Loopback, 200, 200), (own.Checks[1].Host, own.Checks[1].Health.StatusMin, own.Checks[1].Health.StatusMax));
        var exec = own.Checks[2];
        Assert.Equal((HealthCheckKind.Exec, "/usr/local/bin/check", TimeSpan.FromMilliseconds(200)), (exec.Health.Kind, exec.Command, exec.Health.Timeout));
        Assert.Equal(["--quick", "a b"], exec.Args);

        Assert.False(s.Vips[3].HealthTracked);
    }

    [Fact]
    public void Without_health_checks_no_vip_is_health_tracked()
    {
        var s = Read("addresses = [\"192.0.2.10\"]");
        Assert.False(Assert.Single(s.Vips).HealthTracked);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        // the settings, the words the one-line message must contain
        { "health-checks = [ { type = icmp } ]", "health-checks[0].type: 'icmp' is not a health check type (expected tcp, http, https or exec)" },
        { "health-checks = [ { port = 80 } ]", "health-checks[0].type: '' is not a health check type" },
        { "health-checks = { type = tcp }", "actorvip.health-checks.type: unknown setting" },
        { "health-checks = tcp", "health-checks: not a list (expected health-checks = [" },
        { "health-checks = [ tcp ]", "health-checks[0]: not a health check (expected an object such as" },
        { "health-checks = [ { type = tcp, port = 80, timout = 1s } ]", "health-checks[0].timout: unknown setting (expected one of type, url," },
        { "health-checks = [ { type = tcp } ]", "health-checks[0].port: not set (expected 1 to 65535" },
        { "health-checks = [ { type = tcp, port = 80, host = api.local } ]", "health-checks[0].host: 'api.local' is not an IP address" },
        { "health-checks = [ { type = tcp, port = 80, url = \"http://127.0.0.1/\" } ]", "health-checks[0].url: set on a tcp check, which does not use it" },
        { "health-checks = [ { type = http, url = \"https://127.0.0.1/\" } ]",
            "health-checks[0].url: 'https://127.0.0.1/' is not an http URL with an IP address" },
        { "health-checks = [ { type = https, url = \"https://api.local/\" } ]", "health-checks[0].url: 'https://api.local/' is not an https URL with an IP" },
        { "health-checks = [ { type = http, url = \"http://127.0.0.1/\", expect-status = 700 } ]",
            "health-checks[0].expect-status: '700' is not an HTTP status" },
        { "health-checks = [ { type = https, url = \"https://127.0.0.1/\", ca-file = \"/nonexistent/ca.pem\" } ]",
            "health-checks[0].ca-file: '/nonexistent/ca.pem' is not a readable file (expected a PEM file" },
        { "health-checks = [ { type = https, url = \"https://127.0.0.1/\", ca-file = \"/etc/hostname\", insecure-skip-verify = on } ]",
            "health-checks[0].ca-file: set with insecure-skip-verify = on" },
        { "health-checks = [ { type = exec, command = check } ]", "health-checks[0].command: 'check' is not an absolute path to an executable" },
        { "health-checks = [ { type = exec, command = \"/bin/true\", timeout = 2s } ]",
            "health-checks[0].timeout: 2000 ms is longer than health-checks[0].interval (1000 ms)" },
        { "health-checks = [ { type = tcp, port = 80, rise = 0 } ]", "health-checks[0].rise: '0' is not a count of successes (expected 1 to 100)" },
        { "when-none-healthy = drop", "when-none-healthy: 'drop' is not a choice (expected keep:" },
        { "vips = [ { address = \"192.0.2.10\", when-none-healthy = maybe } ]", "vips[0].when-none-healthy: 'maybe' is not a choice" },
        { "vips = [ { address = \"192.0.2.10\", health-checks = [ { type = tcp, port = 99999 } ] } ]",
            "vips[0].health-checks[0].port: '99999' is not a port" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Each_bad_health_check_setting_gives_one_line_naming_the_setting_the_value_and_the_fix(string settings, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Read($"addresses = [\"192.0.2.20\"]\n{settings}"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
