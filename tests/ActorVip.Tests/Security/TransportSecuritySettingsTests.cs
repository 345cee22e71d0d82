using System.Collections;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using ActorVip.Node.Security;

namespace ActorVip.Tests.Security;

/// <summary>actorvip.tls as read from the sources, the scheme it implies, and the start-up warning for a plain transport.</summary>
public class TransportSecuritySettingsTests
{
    private static NodeSettings Read(HoconOverrides flags, IDictionary? env = null) =>
        SettingsReader.Read(ConfigSources.Compose(null, env ?? new Hashtable(), flags));

    [Fact]
    public void Tls_is_off_by_default_and_the_scheme_is_akka_tcp()
    {
        var s = Read(new HoconOverrides());
        Assert.False(s.TransportSecurity.Enabled);
        Assert.Equal("akka.tcp", ClusterConfig.ProtocolOf(s));
        Assert.Equal("off", ClusterConfig.Build(s, ConfigSources.Reference()).GetString("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void Environment_turns_tls_on_and_the_scheme_becomes_akka_ssl_tcp()
    {
        var env = new Hashtable
        {
            ["ACTORVIP_TLS_ENABLED"] = "on",
            ["ACTORVIP_TLS_CERTIFICATE"] = "/etc/actorvip/n1.pfx",
            ["ACTORVIP_TLS_PASSWORD"] = "secret with spaces",
            ["ACTORVIP_TLS_CA"] = "/etc/actorvip/ca.pem",
        };
        var s = Read(new HoconOverrides(), env);
        Assert.Equal(new TlsSettings(true, "/etc/actorvip/n1.pfx", "", "secret with spaces", "/etc/actorvip/ca.pem"), s.TransportSecurity);
        Assert.Equal("akka.ssl.tcp", ClusterConfig.ProtocolOf(s));
        var akka = ClusterConfig.Build(s, ConfigSources.Reference());
        Assert.True(akka.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.Equal(["akka.ssl.tcp://actorvip@127.0.0.1:4053"], akka.GetStringList("akka.cluster.seed-nodes"));
    }

    [Theory]
    [InlineData("actorvip.tls.certificate", "tls.certificate: not set while tls.enabled = on")]
    [InlineData("actorvip.tls.ca", "tls.ca: not set while tls.enabled = on")]
    public void Tls_on_without_certificate_or_ca_is_one_line_naming_it(string missing, string expected)
    {
        var flags = new HoconOverrides().Set("actorvip.tls.enabled", "on").Set("actorvip.tls.certificate", "/c.pem").Set("actorvip.tls.ca",
            "/ca.pem").Set(missing, "");
        var e = Assert.Throws<ConfigException>(() => Read(flags));
        Assert.StartsWith(expected, e.Message);
    }

    [Theory]
    [InlineData("192.0.2.11:4053", false, "actorvip: warning: cluster transport is not encrypted (tls.enabled = off) on 192.0.2.11; anyone who can reach " +
        "port 4053 can join; see docs/SECURITY.md")]
    [InlineData("[2001:db8::11]:4100", false, "actorvip: warning: cluster transport is not encrypted (tls.enabled = off) on 2001:db8::11; anyone who can " +
        "reach port 4100 can join; see docs/SECURITY.md")]
    [InlineData("127.0.0.1:4053", false, null)]
    [InlineData("[::1]:4053", false, null)]
    [InlineData("192.0.2.11:4053", true, null)]
    public void Plain_transport_on_a_reachable_address_is_warned_about(string nodeAddress, bool tls, string? expected)
    {
        var flags = new HoconOverrides().Set("actorvip.node-address", nodeAddress);
        if (tls) flags.Set("actorvip.tls.enabled", "on").Set("actorvip.tls.certificate", "/c.pem").Set("actorvip.tls.ca", "/ca.pem");
        Assert.Equal(expected, PlaintextWarning.For(Read(flags)));
    }
}
