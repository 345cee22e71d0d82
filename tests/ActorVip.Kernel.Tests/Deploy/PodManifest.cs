using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>
/// The container of a pod that `actorvip manifest pod` prints, read field by field and turned into the
/// `podman run` that runs it as the kubelet would on a master: the host's network (here the node's network
/// namespace), the user, the read-only root, the capabilities, the environment with $(POD_IP) expanded, the
/// memory volume on /tmp and the grace period. A field this reader does not know fails the test, so the
/// manifest cannot grow a setting that the container test silently leaves out.
/// </summary>
public sealed class PodManifest
{
    /// <summary>Fields that change nothing for one container on one host: scheduling, pulling, the API token, probes
    /// (podman does not restart on them; the probes' endpoints are checked by the observability tests).</summary>
    private static readonly HashSet<string> IgnoredPodFields = ["tolerations", "priorityClassName", "automountServiceAccountToken", "nodeSelector"];
    private static readonly HashSet<string> IgnoredContainerFields = ["name", "imagePullPolicy", "livenessProbe", "readinessProbe"];

    private PodManifest() { }

    public required string Image { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>In the manifest's order, values as written (before $(VAR) expansion).</summary>
    public required IReadOnlyList<(string Name, string? Value, string? FieldPath)> Env { get; init; }
    public required long RunAsUser { get; init; }
    public required long RunAsGroup { get; init; }
    public required bool ReadOnlyRoot { get; init; }
    public required bool AllowPrivilegeEscalation { get; init; }
    public required IReadOnlyList<string> CapabilitiesAdded { get; init; }
    public required IReadOnlyList<string> CapabilitiesDropped { get; init; }
    public required IReadOnlyList<string> MemoryVolumeMounts { get; init; }
    public required int GracePeriodSeconds { get; init; }
    private IReadOnlyDictionary<string, (string Host, int Port, string Path)> Probes { get; init; } = new Dictionary<string, (string, int, string)>();

    /// <summary>Where the kubelet's livenessProbe or readinessProbe asks (httpGet).</summary>
    public (string Host, int Port, string Path) Probe(string kind) => Probes[kind];

    public static PodManifest Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        Assert.Equal("Pod", Scalar(root, "kind"));
        var spec = Map(root, "spec");
        var volumes = new Dictionary<string, string>();
        foreach (var (key, value) in Entries(spec))
        {
            switch (key)
            {
                case "hostNetwork": Assert.Equal("true", ((YamlScalarNode)value).Value); break;
                case "terminationGracePeriodSeconds": case "containers": break;
                case "volumes":
                    foreach (var v in ((YamlSequenceNode)value).Children.Cast<YamlMappingNode>())
                    {
                        Assert.Equal("Memory", Scalar(Map(v, "emptyDir"), "medium"));
                        volumes[Scalar(v, "name")] = "tmpfs";
                    }
                    break;
                default: Assert.True(IgnoredPodFields.Contains(key), $"the pod has a field '{key}' that the container test does not translate"); break;
            }
        }
        var container = (YamlMappingNode)((YamlSequenceNode)spec.Children[new YamlScalarNode("containers")]).Children.Single();
        foreach (var (key, _) in Entries(container))
            Assert.True(IgnoredContainerFields.Contains(key) || key is "image" or "args" or "env" or "securityContext" or "volumeMounts",
                $"the container has a field '{key}' that the container test does not translate");
        var security = Map(container, "securityContext");
        foreach (var (key, _) in Entries(security))
            Assert.True(
                key is "privileged" or "runAsNonRoot" or "runAsUser" or "runAsGroup" or "readOnlyRootFilesystem" or "allowPrivilegeEscalation"
                    or "capabilities",
                $"the securityContext has a field '{key}' that the container test does not translate");
        Assert.Equal("false", Scalar(security, "privileged"));
        var user = long.Parse(Scalar(security, "runAsUser"));
        if (Scalar(security, "runAsNonRoot") == "true") Assert.NotEqual(0, user);
        return new PodManifest
        {
            Image = Scalar(container, "image"),
            Args = Strings(container, "args"),
            Env = ((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.Cast<YamlMappingNode>()
                .Select(e => (Scalar(e, "name"),
                    e.Children.ContainsKey(new YamlScalarNode("value")) ? Scalar(e, "value") : null,
                    e.Children.ContainsKey(new YamlScalarNode("valueFrom")) ? Scalar(Map(Map(e, "valueFrom"), "fieldRef"), "fieldPath") : null))
                .ToList(),
            RunAsUser = user,
            RunAsGroup = long.Parse(Scalar(security, "runAsGroup")),
            ReadOnlyRoot = Scalar(security, "readOnlyRootFilesystem") == "true",
            AllowPrivilegeEscalation = Scalar(security, "allowPrivilegeEscalation") == "true",
            CapabilitiesAdded = Strings(Map(security, "capabilities"), "add"),
            CapabilitiesDropped = Strings(Map(security, "capabilities"), "drop"),
            MemoryVolumeMounts = ((YamlSequenceNode)container.Children[new YamlScalarNode("volumeMounts")]).Children.Cast<YamlMappingNode>()
                .Select(m =>
                {
                    Assert.True(volumes.ContainsKey(Scalar(m, "name")), $"volume mount {Scalar(m, "name")} names no memory volume");
                    return Scalar(m, "mountPath");
                }).ToList(),
            GracePeriodSeconds = int.Parse(Scalar(spec, "terminationGracePeriodSeconds")),
            Probes = new[] { "livenessProbe", "readinessProbe" }.Where(k => container.Children.ContainsKey(new YamlScalarNode(k)))
                .ToDictionary(k => k, k =>
                {
                    var get = Map(Map(container, k), "httpGet");
                    return (Scalar(get, "host"), int.Parse(Scalar(get, "port")), Scalar(get, "path"));
                }),
        };
    }

    /// <summary>The environment as the kubelet gives it: status.podIP for fieldRefs, $(NAME) of earlier variables expanded.</summary>
    public IReadOnlyList<(string Name, string Value)> Environment(string podIp)
    {
        var defined = new Dictionary<string, string>();
        var result = new List<(string, string)>();
        foreach (var (name, value, field) in Env)
        {
            string resolved;
            if (field is not null)
            {
                Assert.Equal("status.podIP", field);
                resolved = podIp;
            }
            else
            {
                resolved = Regex.Replace(value!, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m => defined.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
            }
            defined[name] = resolved;
            result.Add((name, resolved));
        }
        return result;
    }

    /// <summary>`podman run` arguments (after `run`) for a detached container that uses the network namespace at <paramref name="netnsPath"/> as its
    /// host network.</summary>
    public IReadOnlyList<string> RunArguments(string name, string netnsPath, string podIp, string? image = null)
    {
        var args = new List<string> { "--detach", "--name", name, "--pull", "never", "--network", $"ns:{netnsPath}", "--user", $"{RunAsUser}:{RunAsGroup}" };
        args.AddRange(Podman.Limits);
        // podman's --read-only also mounts tmpfs on /run, /tmp and /var/tmp unless told not to; a kubelet does not.
        if (ReadOnlyRoot) args.AddRange(["--read-only", "--read-only-tmpfs=false"]);
        foreach (var path in MemoryVolumeMounts) args.AddRange(["--tmpfs", path]);
        foreach (var cap in CapabilitiesDropped) args.AddRange(["--cap-drop", cap]);
        foreach (var cap in CapabilitiesAdded) args.AddRange(["--cap-add", cap]);
        if (!AllowPrivilegeEscalation) args.AddRange(["--security-opt", "no-new-privileges"]);
        args.AddRange(["--stop-timeout", GracePeriodSeconds.ToString()]);
        foreach (var (n, v) in Environment(podIp)) args.AddRange(["--env", $"{n}={v}"]);
        args.Add(image ?? Image);
        args.AddRange(Args);
        return args;
    }

    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode map) =>
        map.Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, kv.Value));

    private static YamlMappingNode Map(YamlMappingNode map, string key) => (YamlMappingNode)map.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map.Children[new YamlScalarNode(key)]).Value!;

    private static List<string> Strings(YamlMappingNode map, string key) =>
        ((YamlSequenceNode)map.Children[new YamlScalarNode(key)]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
}
