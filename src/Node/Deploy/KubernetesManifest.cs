using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorVip.Node.Configuration;
using ActorVip.Node.Observability;

namespace ActorVip.Node.Deploy;

/// <summary>
/// Kubernetes manifests for the masters, like kube-vip's `manifest pod` / `manifest daemonset`: host network,
/// NET_ADMIN and NET_RAW only (never privileged), a non-root user, the settings as kube-vip environment names
/// plus ACTORVIP_* for what kube-vip has no name for.
/// </summary>
public static class KubernetesManifest
{
    public const string Name = "actorvip";
    public const string Namespace = "kube-system";
    /// <summary>The `app` user of the .NET container images (APP_UID), which deploy/Containerfile runs as.</summary>
    public const int UserId = 1654;

    /// <summary>A static pod for /etc/kubernetes/manifests on each master.</summary>
    public static string Pod(NodeSettings settings, string image)
    {
        var y = new StringBuilder();
        y.AppendLine("apiVersion: v1");
        y.AppendLine("kind: Pod");
        Metadata(y, "");
        y.AppendLine("spec:");
        PodSpec(y, "  ", settings, image, daemonSet: false);
        return y.ToString();
    }

    /// <summary>A DaemonSet on the control-plane nodes.</summary>
    public static string DaemonSet(NodeSettings settings, string image)
    {
        var y = new StringBuilder();
        y.AppendLine("apiVersion: apps/v1");
        y.AppendLine("kind: DaemonSet");
        Metadata(y, "");
        y.AppendLine("spec:");
        y.AppendLine("  selector:");
        y.AppendLine("    matchLabels:");
        y.AppendLine($"      app.kubernetes.io/name: {Name}");
        y.AppendLine("  updateStrategy:");
        y.AppendLine("    type: RollingUpdate");
        y.AppendLine("    rollingUpdate:");
        y.AppendLine("      # One master at a time, so that a majority of the voters stays up.");
        y.AppendLine("      maxUnavailable: 1");
        y.AppendLine("  template:");
        y.AppendLine("    metadata:");
        y.AppendLine("      labels:");
        y.AppendLine($"        app.kubernetes.io/name: {Name}");
        y.AppendLine("    spec:");
        PodSpec(y, "      ", settings, image, daemonSet: true);
        return y.ToString();
    }

    private static void Metadata(StringBuilder y, string i)
    {
        y.AppendLine($"{i}metadata:");
        y.AppendLine($"{i}  name: {Name}");
        y.AppendLine($"{i}  namespace: {Namespace}");
        y.AppendLine($"{i}  labels:");
        y.AppendLine($"{i}    app.kubernetes.io/name: {Name}");
    }

    private static void PodSpec(StringBuilder y, string i, NodeSettings settings, string image, bool daemonSet)
    {
        if (daemonSet)
        {
            y.AppendLine($"{i}nodeSelector:");
            y.AppendLine($"{i}  node-role.kubernetes.io/control-plane: \"\"");
        }
        y.AppendLine($"{i}tolerations:");
        foreach (var role in new[] { "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master" })
        {
            y.AppendLine($"{i}- key: {role}");
            y.AppendLine($"{i}  operator: Exists");
            y.AppendLine($"{i}  effect: NoSchedule");
        }
        y.AppendLine($"{i}hostNetwork: true");
        y.AppendLine($"{i}priorityClassName: system-node-critical");
        y.AppendLine($"{i}# ActorVip does not talk to the Kubernetes API.");
        y.AppendLine($"{i}automountServiceAccountToken: false");
        y.AppendLine($"{i}# SIGTERM releases the VIPs first (about 1 s), then the node leaves the cluster.");
        y.AppendLine($"{i}terminationGracePeriodSeconds: 10");
        y.AppendLine($"{i}containers:");
        y.AppendLine($"{i}- name: {Name}");
        y.AppendLine($"{i}  image: {Quote(image)}");
        y.AppendLine($"{i}  imagePullPolicy: IfNotPresent");
        y.AppendLine($"{i}  args: [{string.Join(", ", Args(settings).Select(Quote))}]");
        y.AppendLine($"{i}  env:");
        y.AppendLine($"{i}  - name: POD_IP");
        y.AppendLine($"{i}    valueFrom:");
        y.AppendLine($"{i}      fieldRef:");
        y.AppendLine($"{i}        fieldPath: status.podIP");
        foreach (var (name, value) in Environment(settings))
        {
            y.AppendLine($"{i}  - name: {name}");
            y.AppendLine($"{i}    value: {Quote(value)}");
        }
        Probes(y, i, settings);
        y.AppendLine($"{i}  securityContext:");
        y.AppendLine($"{i}    privileged: false");
        y.AppendLine($"{i}    runAsNonRoot: true");
        y.AppendLine($"{i}    runAsUser: {UserId}");
        y.AppendLine($"{i}    runAsGroup: {UserId}");
        y.AppendLine($"{i}    readOnlyRootFilesystem: true");
        y.AppendLine($"{i}    # The binary carries file capabilities (cap_net_admin,cap_net_raw=ep): a non-root process gets them");
        y.AppendLine($"{i}    # at exec only if they are in the bounding set (capabilities.add) and no_new_privs is off");
        y.AppendLine($"{i}    # (allowPrivilegeEscalation: false sets it, and the kernel then need not grant file capabilities).");
        y.AppendLine($"{i}    allowPrivilegeEscalation: true");
        y.AppendLine($"{i}    capabilities:");
        y.AppendLine($"{i}      drop: [\"ALL\"]");
        y.AppendLine($"{i}      add: [\"NET_ADMIN\", \"NET_RAW\"]");
        y.AppendLine($"{i}  volumeMounts:");
        y.AppendLine($"{i}  - name: tmp");
        y.AppendLine($"{i}    mountPath: /tmp");
        y.AppendLine($"{i}volumes:");
        y.AppendLine($"{i}# The .NET runtime keeps its diagnostics socket in /tmp; the root filesystem is read-only.");
        y.AppendLine($"{i}- name: tmp");
        y.AppendLine($"{i}  emptyDir:");
        y.AppendLine($"{i}    medium: Memory");
    }

    /// <summary>
    /// The kubelet asks the node's metrics address (the pod shares the host's network, so loopback is the node's):
    /// /healthz restarts a process whose node agent stopped answering; /readyz holds a DaemonSet's rolling update
    /// until the restarted master is back in the cluster with a majority of voters, so that the update never takes
    /// a second master while the first is still out.
    /// </summary>
    private static void Probes(StringBuilder y, string i, NodeSettings settings)
    {
        var target = MetricsAddress.AskEndpoint(settings.MetricsAddress);
        foreach (var (kind, path, period, failures) in new[] { ("livenessProbe", "/healthz", 10, 3), ("readinessProbe", "/readyz", 5, 1) })
        {
            y.AppendLine($"{i}  {kind}:");
            y.AppendLine($"{i}    httpGet:");
            y.AppendLine($"{i}      host: {Quote(target.Host)}");
            y.AppendLine($"{i}      port: {target.Port.ToString(CultureInfo.InvariantCulture)}");
            y.AppendLine($"{i}      path: {path}");
            y.AppendLine($"{i}    initialDelaySeconds: 5");
            y.AppendLine($"{i}    periodSeconds: {period.ToString(CultureInfo.InvariantCulture)}");
            y.AppendLine($"{i}    timeoutSeconds: 3");
            y.AppendLine($"{i}    failureThreshold: {failures.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>The node's settings as environment variables: kube-vip's names where it has one, ACTORVIP_* for the rest.</summary>
    public static IReadOnlyList<(string Name, string Value)> Environment(NodeSettings s)
    {
        var env = new List<(string, string)>
        {
            // Each master's own address; seeds must be spelt the same way (the masters' IPs).
            ("ACTORVIP_NODE_ADDRESS", s.NodeAddress.Host.Contains(':') ? $"[$(POD_IP)]:{s.NodeAddress.Port}" : $"$(POD_IP):{s.NodeAddress.Port}"),
            ("ACTORVIP_NODES", s.Nodes.ToString(CultureInfo.InvariantCulture)),
        };
        if (s.Seeds.Count > 0) env.Add(("ACTORVIP_SEEDS", string.Join(",", s.Seeds)));
        env.Add(("vip_interface", s.Interface));
        env.Add(("address", string.Join(",", s.Vips.Select(v => v.Address))));
        env.Add(("vip_subnet", string.Join(",", s.Vips.Select(v => v.PrefixLength))));
        env.Add(("vip_arp", "true"));
        env.Add(("vip_arpRate", ((long)s.Announce.RefreshInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));
        env.Add(("lb_enable", s.LoadBalancer.Enabled ? "true" : "false"));
        if (s.LoadBalancer.Enabled)
        {
            env.Add(("lb_port", s.LoadBalancer.Port.ToString(CultureInfo.InvariantCulture)));
            env.Add(("port", s.LoadBalancer.BackendPort.ToString(CultureInfo.InvariantCulture)));
            env.Add(("lb_fwdmethod", s.LoadBalancer.Method.Name()));
        }
        env.Add(("prometheus_server", s.MetricsAddress));
        return env;
    }

    /// <summary>`run` and the flags for what has no environment name.</summary>
    private static IEnumerable<string> Args(NodeSettings s)
    {
        yield return "run";
        if (!s.LoadBalancer.Enabled) yield break;
        yield return "--scheduler";
        yield return s.LoadBalancer.Scheduler;
        foreach (var backend in s.LoadBalancer.Backends)
        {
            yield return "--backend";
            yield return backend.ToString();
        }
    }

    /// <summary>A JSON string is a YAML double-quoted scalar, so any value is safe here.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, Json);

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
