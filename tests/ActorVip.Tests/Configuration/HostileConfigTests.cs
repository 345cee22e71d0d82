using System.Collections;
using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>
/// Mistaken and hostile configuration, each row one finding: it must be one line naming the setting (or the line of the
/// file) and what is expected, thrown as a ConfigException (exit 2) before anything starts; never a crash, never a
/// value silently dropped or taken.
/// </summary>
public class HostileConfigTests
{
    private const string Vip = "actorvip { interface = eth0, addresses = [\"192.0.2.100\"], node-address = \"192.0.2.11:4053\" }\n";

    /// <summary>A config file's text (after a valid base) and the words its one-line refusal must contain.</summary>
    public static TheoryData<string, string> BadFiles => new()
    {
        // Crashes of Akka when the actor system starts (after the fence was installed).
        { "akka.loglevel = FOO", "akka.loglevel: 'FOO' is not valid (expected one of OFF, ERROR, WARNING, INFO, DEBUG)" },
        { "akka.actor.provider = nonsense", "akka.actor.provider: not a setting ActorVip lets a config file change" },
        { "akka.cluster.failure-detector.heartbeat-interval = -1s", "akka.cluster.failure-detector.heartbeat-interval: '-1s' is not " +
            "valid (expected a duration" },
        { "akka.loggers = [\"No.Such.Type, nope\"]", "akka.loggers: not a setting ActorVip lets a config file change" },
        { "akka.cluster.split-brain-resolver.active-strategy = nope", "akka.cluster.split-brain-resolver.active-strategy: 'nope' is not valid " +
            "(expected one of keep-majority" },
        { "akka.remote.dot-netty.tcp.maximum-frame-size = 10b", "akka.remote.dot-netty.tcp.maximum-frame-size: '10b' is not valid (expected a size" },
        { "akka.remote.dot-netty.tcp.maximum-frame-size = lots", "akka.remote.dot-netty.tcp.maximum-frame-size: 'lots' is not valid" },
        // Substitutions, includes, nulls: stack overflows and null references in Akka's parser.
        { "x = ${?HOME}", "line 2: substitutions (${...}) are not supported" },
        { "actorvip.system-name = ${?NOPE}", "line 2: substitutions (${...}) are not supported" },
        { "actorvip.addresses = [[\"192.0.2.100\"]]", "addresses: element 1 is a list" },
        { "actorvip = null", "line 2: 'actorvip' is null; null is not a value ActorVip takes" },
        { "actorvip.interface = null", "line 2: 'actorvip.interface' is null" },
        { "include \"/etc/hostname\"", "line 2: include is not supported in a config file" },
        { "include required(file(\"/missing\"))", "line 2: include is not supported" },
        // Syntax errors that Akka's parser passed over, dropping the rest of the file.
        { "}\nactorvip.nodez = 1", "line 2: this '}' closes nothing" },
        { "actorvip.interface = \"eth0", "line 2: a quoted string is not closed on its line" },
        { "actorvip.interface eth0", "line 2: 'actorvip.interface eth0' is not KEY = VALUE" },
        { "actorvip.interface", "line 2: 'actorvip.interface' has no value" },
        { "actorvip {\n interface = eth0", "line 2: this '{' is never closed" },
        { "actorvip.addresses = [\"192.0.2.100\"", "line 2: this '[' is never closed" },
        { "actorvip.interface = eth0 }", "line 2: this '}' closes nothing" },
        { "actorvip.interface = \"eth\\q\"", "line 2: \\q is not an escape" },
        { "actorvip.interface = \u0001", "line 2: a control character (U+0001) is not allowed" },
        { "actorvip.node-address = 192.0.2.11:4053", "line 2: '192.0.2.11:4053' holds a ':' and must be quoted" },
        { "actorvip.addresses = [2001:db8::100]", "line 2: '2001:db8::100' holds a ':' and must be quoted" },
        // Nesting deep enough to overflow a recursive parser's stack.
        { "x = " + new string('[', 100_000) + new string(']', 100_000), "line 2: objects and lists are nested more than 32 deep" },
        { string.Concat(Enumerable.Repeat("a {", 50_000)), "line 2: objects and lists are nested more than 32 deep" },
        // Values of the wrong shape, reported as what they are.
        { "actorvip.lease.lease-time = [1,2]", "lease.lease-time: a list where one value is expected" },
        { "actorvip.addresses = \"192.0.2.1\"", "addresses: one value where a list is expected" },
        { "actorvip.lease.margin = -1s", "lease.margin: '-1s' is negative" },
        // Unsafe: a zero margin lets clock rate drift overlap two owners (SingleOwnerSafetyTests shows it).
        { "actorvip.lease.margin = 0ms", "lease.margin: 0ms is too short (expected at least 20ms" },
        { "actorvip.lease.lease-time = 700ms\nactorvip.lease.renew-interval = 350ms", "lease.renew-interval: 350ms is not less than half " +
            "of lease.lease-time (700ms)" },
        // Silently wrong: never acquires, never serves.
        { "actorvip.lease.margin = 30d", "lease.margin: 2592000000ms is longer than lease.lease-time (700ms)" },
        { "actorvip.lease.lease-time = 30d", "lease.lease-time: 2592000000ms is too long" },
        { "actorvip.lease.lease-time = 1000d", "lease.lease-time: '1000d' is not a duration" },
        { "actorvip { nodes = 3, seeds = [\"192.0.2.12:4053\", \"192.0.2.13:4053\", \"192.0.2.14:4053\"] }",
            "seed: node-address 192.0.2.11:4053 is not one of the seeds" },
        { "actorvip { node-address = \"127.0.0.1:4053\", nodes = 1, seeds = [\"localhost:4053\"] }",
            "seed: node-address 127.0.0.1:4053 is not one of the seeds (localhost:4053)" },
        { "actorvip.addresses = [\"192.0.2.11/24\"]", "address: 192.0.2.11 is this node's own address" },
        { "actorvip.addresses = [\"::1\"]", "'::1' cannot be a virtual IP: it is a loopback address" },
        { "actorvip.addresses = [\"127.0.0.5\"]", "'127.0.0.5' cannot be a virtual IP: it is a loopback address" },
        { "actorvip.addresses = [\"169.254.1.1\"]", "'169.254.1.1' cannot be a virtual IP: it is a link-local address" },
        { "actorvip.addresses = [\"0.1.2.3\"]", "'0.1.2.3' cannot be a virtual IP" },
        { "actorvip.addresses = [\"::ffff:192.0.2.1\"]", "cannot be a virtual IP: it is a v4-mapped IPv6 address" },
        { "actorvip.addresses = [\"192.0.2.0/24\"]", "'192.0.2.0/24' is the network address of its network" },
        { "actorvip.addresses = [\"192.0.2.255/24\"]", "'192.0.2.255/24' is the broadcast address of its network" },
        { "actorvip.addresses = [\"2001:db8::/64\"]", "'2001:db8::/64' is the network address of its network" },
        { "actorvip.tls.key = \"/etc/actorvip/key.pem\"", "tls.key: set while tls.enabled = off, so the transport would be plain TCP" },
        { "actorvip.tls.ca = \"/etc/actorvip/ca.pem\"", "tls.ca: set while tls.enabled = off" },
        // Names that are not ActorVip's to delete.
        { "actorvip.fence.table = filter", "fence.table: 'filter' is not a name ActorVip may own" },
        { "actorvip.fence.table = actorvip-nat", "fence.table: 'actorvip-nat' is not a name ActorVip may own" },
        { "actorvip.fence.table = nat", "fence.table: 'nat' is not a name ActorVip may own" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Each_bad_config_file_is_one_line_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ReadFile(Vip + text + "\n"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("actorvip.interface = eth0\nactorvip.seeds = [\"192.0.2.11:4053\"]\n")]
    [InlineData("actorvip { interface: eth0, node-address: \"192.0.2.11:4053\" }\n")]
    [InlineData("actorvip { interface = \"eth0\" } // comment\n")]
    [InlineData("actorvip.addresses = [\n  \"192.0.2.100\",\n  \"2001:db8::100\"\n]\n")]
    [InlineData("actorvip.addresses = [\"2001:db8::100\", 192.0.2.100/32]\nakka.loglevel = DEBUG\n")]
    [InlineData("akka.cluster.failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s " +
        "}\nakka.cluster.split-brain-resolver.stable-after = 5s\n")]
    [InlineData("akka.remote.dot-netty.tcp.maximum-frame-size = 256000b\n# the end\n")]
    public void Good_files_still_pass(string text)
    {
        ReadFile(Vip + text);
    }

    [Fact]
    public void A_file_may_be_one_outer_object()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{\n  actorvip { interface = \"eth0\" } // comment\n}\n");
            Assert.Equal("eth0", SettingsReader.Read(ConfigSources.Compose(file, new Hashtable(), new HoconOverrides())).Interface);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_reference_configuration_passes_the_syntax_check_it_is_written_in()
    {
        HoconSyntax.Check(File.ReadAllText(RepositoryFiles.Path("hocon/reference.conf")), "reference.conf");
    }

    [Theory]
    [InlineData("/dev/zero", "it is a character device, not a regular file")]
    [InlineData("/", "it is a directory, not a regular file")]
    [InlineData("/nonexistent/actorvip.conf", "no such file")]
    public void A_config_file_that_is_not_a_regular_file_is_refused_before_it_is_read(string path, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => SettingsReader.Read(ConfigSources.Compose(path, new Hashtable(), new HoconOverrides())));
        Assert.Contains($"cannot read config file '{path}': {expected}", e.Message);
    }

    [Fact]
    public void A_config_file_over_a_mebibyte_is_refused_without_reading_it_all()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# " + new string('x', 2 * 1024 * 1024) + "\n");
            var e = Assert.Throws<ConfigException>(() => ConfigSources.Compose(file, new Hashtable(), new HoconOverrides()));
            Assert.Contains("it is larger than 1 MiB", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<string, string, string> BadEnvironment => new()
    {
        { "vip_arp", "banana", "vip_arp: 'banana' is not true or false" },
        { "ACTORVIP_TLS_KEY", "/etc/actorvip/key.pem", "tls.key: set while tls.enabled = off" },
        { "ACTORVIP_INTERFACE", "eth0\nactorvip.nodes = 0", "is not a valid interface name" },
    };

    [Theory]
    [MemberData(nameof(BadEnvironment))]
    public void Each_bad_environment_variable_is_one_line(string name, string value, string expected)
    {
        var env = new Hashtable { ["ACTORVIP_INTERFACE"] = "eth0", ["ACTORVIP_ADDRESS"] = "192.0.2.100", [name] = value };
        var e = Assert.Throws<ConfigException>(() => SettingsReader.Read(ConfigSources.Compose(null, env, new HoconOverrides())));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void An_unknown_actorvip_variable_is_named_in_a_warning_with_the_nearest_known_name()
    {
        var warnings = ConfigSources.UnknownVariableWarnings(new Hashtable { ["ACTORVIP_NODE"] = "3", ["ACTORVIP_NODES"] = "3", ["HOME"] = "/root" });
        Assert.Equal(["actorvip: warning: environment variable ACTORVIP_NODE is not an ActorVip setting and is ignored (did you mean ACTORVIP_NODES? " +
            "every name is in README.md)"], warnings);
    }

    [Fact]
    public void The_variables_of_the_build_and_test_tools_are_not_warned_about()
    {
        // tools/test.sh exports ACTORVIP_TEST_IMAGE and ACTORVIP_TEST_DEB to every process it starts, the nodes under test
        // included; a warning about them was an extra stderr line that broke every one-line-error test in CI.
        var env = new Hashtable
        {
            ["ACTORVIP_TEST_IMAGE"] = "localhost/actorvip:0.1.0",
            ["ACTORVIP_TEST_DEB"] = "/tmp/a.deb",
            ["ACTORVIP_SIM_SEED"] = "1",
            ["ACTORVIP_VM_KEEP"] = "1",
            ["ACTORVIP_VM_CACHE"] = "/var/cache/x",
            ["ACTORVIP_DEBIAN_MIRROR"] = "http://deb",
            ["ACTORVIP_PATH"] = "/bin",
        };
        Assert.Empty(ConfigSources.UnknownVariableWarnings(env));
    }

    [Fact]
    public void The_node_itself_may_be_its_only_seed_and_a_vip_may_share_its_network()
    {
        var s = ReadFile(Vip + "actorvip { nodes = 1, seeds = [\"192.0.2.11:4053\"], addresses = [\"192.0.2.100/24\"] }\n");
        Assert.Equal("192.0.2.100/24", s.Vips.Single().ToString());
    }

    private static NodeSettings ReadFile(string text)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, text);
            return SettingsReader.Read(ConfigSources.Compose(file, new Hashtable(), new HoconOverrides()));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
