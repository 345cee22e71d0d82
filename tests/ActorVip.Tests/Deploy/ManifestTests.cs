using System.Collections;
using ActorVip.Node.Configuration;
using ActorVip.Node.Deploy;
using YamlDotNet.RepresentationModel;

namespace ActorVip.Tests.Deploy;

/// <summary>The Kubernetes manifests parse as YAML and say what a master needs; the systemd unit shipped in deploy/ is the generated one.</summary>
public class ManifestTests
{
    private static NodeSettings Settings(params (string Path, string Value)[] extra)
    {
        var flags = new HoconOverrides()
            .Set("actorvip.interface", "eth0")
            .SetList("actorvip.addresses", ["192.0.2.100", "2001:db8::100"])
            .Set("actorvip.node-address", "192.0.2.11:4053")
            .SetList("actorvip.seeds", ["192.0.2.11:4053", "192.0.2.12:4053", "192.0.2.13:4053"])
            .Set("actorvip.nodes", "3");
        foreach (var (path, value) in extra) flags.Set(path, value);
        return SettingsReader.Read(ConfigSources.Compose(null, new Hashtable(), flags));
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.ContainsKey(key), $"no '{key}' in the manifest");
            node = map[key];
        }
        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(At(node, path)).Value!;

    private static List<string> Strings(YamlNode node, params string[] path) =>
        Assert.IsType<YamlSequenceNode>(At(node, path)).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    public static TheoryData<string> Kinds => new() { "pod", "daemonset" };

    private static (YamlMappingNode Root, YamlNode PodSpec) Render(string kind, NodeSettings settings)
    {
        var root = Parse(kind == "pod" ? KubernetesManifest.Pod(settings, "registry.example/actorvip:1") : KubernetesManifest.DaemonSet(settings,
            "registry.example/actorvip:1"));
        return (root, kind == "pod" ? At(root, "spec") : At(root, "spec", "template", "spec"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_pod_runs_on_the_host_network_as_non_root_with_net_admin_and_net_raw_only_and_never_privileged(string kind)
    {
        var (root, spec) = Render(kind, Settings());
        Assert.Equal(kind == "pod" ? "Pod" : "DaemonSet", Scalar(root, "kind"));
        Assert.Equal("kube-system", Scalar(root, "metadata", "namespace"));
        Assert.Equal("true", Scalar(spec, "hostNetwork"));
        var container = Assert.IsType<YamlMappingNode>(Assert.Single(Assert.IsType<YamlSequenceNode>(At(spec, "containers")).Children));
        Assert.Equal("registry.example/actorvip:1", Scalar(container, "image"));
        Assert.Equal(["run"], Strings(container, "args"));
        var security = At(container, "securityContext");
        Assert.Equal("false", Scalar(security, "privileged"));
        Assert.Equal("true", Scalar(security, "runAsNonRoot"));
        Assert.NotEqual("0", Scalar(security, "runAsUser"));
        Assert.Equal(["ALL"], Strings(security, "capabilities", "drop"));
        Assert.Equal(["NET_ADMIN", "NET_RAW"], Strings(security, "capabilities", "add"));
        // File capabilities are granted at exec only without no_new_privs.
        Assert.Equal("true", Scalar(security, "allowPrivilegeEscalation"));
        var tolerations = Assert.IsType<YamlSequenceNode>(At(spec, "tolerations")).Children;
        Assert.Contains(tolerations, t => Scalar(t, "key") == "node-role.kubernetes.io/control-plane" && Scalar(t, "effect") == "NoSchedule");
    }

    [Fact]
    public void The_daemonset_selects_control_plane_nodes_and_its_selector_matches_its_pods()
    {
        var (root, spec) = Render("daemonset", Settings());
        Assert.Equal("apps/v1", Scalar(root, "apiVersion"));
        Assert.Equal("", Scalar(spec, "nodeSelector", "node-role.kubernetes.io/control-plane"));
        Assert.Equal(Scalar(root, "spec", "selector", "matchLabels", "app.kubernetes.io/name"),
            Scalar(root, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
        Assert.Equal("1", Scalar(root, "spec", "updateStrategy", "rollingUpdate", "maxUnavailable"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_environment_uses_kube_vip_names_and_configures_a_node_like_the_flags_did(string kind)
    {
        var settings = Settings(("actorvip.lb.enabled", "on"), ("actorvip.lb.port", "8443"), ("actorvip.lb.fwdmethod", "masquerade"),
            ("actorvip.announce.refresh-interval", "3s"));
        var (_, spec) = Render(kind, settings);
        var container = Assert.IsType<YamlSequenceNode>(At(spec, "containers")).Children[0];
        var env = Assert.IsType<YamlSequenceNode>(At(container, "env")).Children.Cast<YamlMappingNode>().ToList();
        var names = env.Select(e => Scalar(e, "name")).ToList();
        Assert.Equal("status.podIP", Scalar(env[0], "valueFrom", "fieldRef", "fieldPath"));
        Assert.True(names.IndexOf("POD_IP") < names.IndexOf("ACTORVIP_NODE_ADDRESS"), "Kubernetes expands $(POD_IP) only from a variable defined earlier");
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "vip_interface", "address", "vip_subnet", "vip_arp", "vip_arpRate", "lb_enable", "lb_port",
            "port", "lb_fwdmethod", "prometheus_server" });

        // What the kubelet hands the process on the master 192.0.2.12 gives the settings the flags gave.
        var values = new Hashtable();
        foreach (var e in env.Where(e => ((YamlMappingNode)e).Children.ContainsKey("value")))
            values[Scalar(e, "name")] = Scalar(e, "value").Replace("$(POD_IP)", "192.0.2.12");
        var read = SettingsReader.Read(ConfigSources.Compose(null, values, new HoconOverrides()));
        Assert.Equal(settings.Interface, read.Interface);
        Assert.Equal(settings.Vips, read.Vips);
        Assert.Equal(settings.Seeds, read.Seeds);
        Assert.Equal(settings.Nodes, read.Nodes);
        Assert.Equal(new Endpoint("192.0.2.12", 4053), read.NodeAddress);
        Assert.Equal(settings.LoadBalancer with { Backends = [] }, read.LoadBalancer with { Backends = [] });
        Assert.Equal(settings.Announce, read.Announce);
        Assert.Equal(settings.MetricsAddress, read.MetricsAddress);
        Assert.Empty(KubeVipEnvironment.Warnings(values));
    }

    [Theory]
    [InlineData("pod", null, "127.0.0.1", "2112")]
    [InlineData("daemonset", ":9100", "127.0.0.1", "9100")]
    [InlineData("pod", "[::]:2112", "::1", "2112")]
    [InlineData("daemonset", "192.0.2.11:9100", "192.0.2.11", "9100")]
    public void The_kubelet_probes_healthz_and_readyz_where_the_node_serves_them(string kind, string? metrics, string host, string port)
    {
        var settings = metrics is null ? Settings() : Settings(("actorvip.metrics-address", metrics));
        var (_, spec) = Render(kind, settings);
        var container = Assert.IsType<YamlSequenceNode>(At(spec, "containers")).Children[0];
        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            Assert.Equal(path, Scalar(container, probe, "httpGet", "path"));
            Assert.Equal(host, Scalar(container, probe, "httpGet", "host"));
            Assert.Equal(port, Scalar(container, probe, "httpGet", "port"));
            Assert.True(int.Parse(Scalar(container, probe, "timeoutSeconds")) <= int.Parse(Scalar(container, probe, "periodSeconds")));
        }
        // A restart only after several missed answers; readiness follows every answer.
        Assert.True(int.Parse(Scalar(container, "livenessProbe", "failureThreshold")) >= 3);
        Assert.Equal("1", Scalar(container, "readinessProbe", "failureThreshold"));
    }

    [Fact]
    public void A_value_with_yaml_syntax_in_it_stays_one_string()
    {
        var yaml = KubernetesManifest.Pod(Settings(), "img: {x} # not a comment");
        Assert.Equal("img: {x} # not a comment", Scalar(Assert.IsType<YamlSequenceNode>(At(Parse(yaml), "spec", "containers")).Children[0], "image"));
    }

    [Fact]
    public void The_unit_shipped_in_deploy_is_the_generated_one_with_what_systemd_needs()
    {
        var shipped = File.ReadAllText(RepositoryFiles.Path("deploy", "actorvip.service"));
        Assert.Equal(SystemdUnit.Render(), shipped);
        var lines = shipped.Split('\n').Select(l => l.Trim()).ToHashSet();
        foreach (var expected in new[]
                 {
                     "Type=notify", "WatchdogSec=5s", "Restart=always", "NoNewPrivileges=yes", "User=actorvip", "DynamicUser=yes",
                     "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW",
                     "ExecStart=/usr/local/bin/actorvip run --config /etc/actorvip/actorvip.conf",
                     "ExecStopPost=/usr/local/bin/actorvip cleanup --config /etc/actorvip/actorvip.conf",
                 })
            Assert.Contains(expected, lines);
    }
}
