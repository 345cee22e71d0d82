using System.Text.Json;
using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Three real `actorvip run` nodes in namespaces, each serving its metrics endpoint on the default 127.0.0.1:2112
/// inside its own namespace (fetched with curl and `actorvip status` run in that namespace): the metrics, the
/// probes and the status command agree with who really holds the VIP and at which epoch.
/// </summary>
public sealed class ObservabilityEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public void Metrics_probes_and_status_name_the_owner_and_its_epoch_on_every_node()
    {
        using var lab = new NetworkLab("obs");
        var topology = VipTopology.Build(lab, 3);
        var service = new ActorVipService();
        var processes = topology.Nodes.ToDictionary(n => n, n => service.Start(topology, n));
        try
        {
            // Every node alive and ready once the cluster formed.
            foreach (var node in topology.Nodes)
            {
                Assert.True(Ip.Eventually(() => Get(lab, node, "/readyz").Code == 200, Bound), $"{node.Name} never became ready: {Get(lab, node, "/readyz")}");
                var health = Get(lab, node, "/healthz");
                Assert.Equal(200, health.Code);
                Assert.StartsWith("ok: the node agent answered a ping", health.Body);
                Assert.StartsWith("ok: Up, allocator on akka.tcp://actorvip@192.0.2.1", Get(lab, node, "/readyz").Body);
            }

            // One owner (a steady one: a busy machine may let a fresh lease lapse once): 1 there, 0 elsewhere,
            // the address really on its interface, and every node's status naming it with the epoch it logged.
            string? mismatch = null;
            var agreed = Ip.Eventually(() =>
            {
                var owned = topology.Nodes.ToDictionary(n => n, n => OwnedGauge(lab, n));
                var owners = owned.Where(o => o.Value == 1).Select(o => o.Key).ToList();
                if (owners.Count != 1 || owned.Values.Count(v => v == 0) != 2) return Fail("owned gauges " +
                    $"{string.Join(", ", owned.Select(o => $"{o.Key.Name}={o.Value}"))}");
                var owner = owners[0];
                if (topology.NodesHoldingAddress() is not [var holder] || holder != owner) return Fail("the address is on " +
                    $"{string.Join(",", topology.NodesHoldingAddress().Select(n => n.Name))}, the gauge says {owner.Name}");
                var epoch = LastGrantedEpoch(processes[owner]);
                foreach (var node in topology.Nodes)
                {
                    var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node.Namespace, "status", "--json");
                    if (code != 0) return Fail($"status --json in {node.Name} exited {code}: {stderr}");
                    using var json = JsonDocument.Parse(stdout);
                    var vip = json.RootElement.GetProperty("vips").EnumerateArray().Single();
                    var said = (vip.GetProperty("owner").GetString(), vip.GetProperty("epoch").GetInt64(), vip.GetProperty("heldHere").GetBoolean());
                    if (said != ($"akka.tcp://actorvip@{owner.Endpoint}", epoch, node == owner)) return Fail($"{node.Name}'s status says {said}, the owner " +
                        $"is {owner.Name} at epoch {epoch}");
                    if (json.RootElement.GetProperty("members").GetArrayLength() != 3) return Fail($"{node.Name}'s status lists " +
                        $"{json.RootElement.GetProperty("members").GetArrayLength()} members");
                }
                var table = ActorVipProcess.RunToEnd(topology.Nodes.First(n => n != owner).Namespace, "status");
                if (table.ExitCode != 0 || !Regex.IsMatch(table.Stdout,
                    $@"^192\.0\.2\.100\s+akka\.tcp://actorvip@{Regex.Escape(owner.Endpoint)}\s+{epoch}\s+no\s+\S+$",
                    RegexOptions.Multiline))
                    return Fail($"the status table does not name {owner.Name} at epoch {epoch}:\n{table.Stdout}{table.Stderr}");
                output.WriteLine($"owner {owner.Name} at epoch {epoch}; status table:\n{table.Stdout}");
                return true;
            }, Bound);
            Assert.True(agreed, "metrics, address and status never agreed on one owner: " +
                $"{mismatch}\n{string.Join("\n", processes.Values.Select(p => p.Tail()))}");

            // The counters that a served VIP must have moved, on its owner.
            var ownerNode = topology.Nodes.Single(n => OwnedGauge(lab, n) == 1);
            var metrics = Get(lab, ownerNode, "/metrics").Body;
            Assert.Matches(@"actorvip_ownership_changes_total\{vip=""192\.0\.2\.100"",change=""acquired""\} [1-9]", metrics);
            Assert.Matches(@"actorvip_announcements_total\{vip=""192\.0\.2\.100""\} [1-9]", metrics);
            Assert.Matches(@"actorvip_lease_renew_seconds_count\{vip=""192\.0\.2\.100""\} [1-9]", metrics);
            Assert.Contains("actorvip_cluster_members{status=\"Up\"} 3", metrics);
            Assert.Matches(@"(?m)^actorvip_actor_loop_stalls_total \d+$", metrics);
            Assert.Matches(@"(?m)^actorvip_actor_loop_longest_lateness_seconds [0-9.e-]+$", metrics);

            // A second node on the same host with the same metrics address: one line, exit 1, and nothing touched
            // (it would otherwise have removed the owner's VIP as a "stale copy" at start).
            var second = ActorVipProcess.RunToEnd(ownerNode.Namespace, ["run", "--interface", "eth0", "--address", VipTopology.Vip.ToString(),
                "--node-address", ownerNode.Endpoint, "--nodes", "3", .. topology.Nodes.SelectMany(n => new[] { "--seed", n.Endpoint })]);
            Assert.True(second.ExitCode == 1, $"exit {second.ExitCode}: {second.Stderr}");
            Assert.Equal("actorvip: metrics-address 127.0.0.1:2112: the port is already in use (another actorvip run on this host?); choose another with " +
                "--metrics-address or actorvip.metrics-address", second.Stderr.Trim());
            Assert.Equal([ownerNode], topology.NodesHoldingAddress());
            Assert.Equal(1, OwnedGauge(lab, ownerNode));

            bool Fail(string why)
            {
                mismatch = why;
                return false;
            }
        }
        finally
        {
            foreach (var (node, process) in processes) output.WriteLine($"--- {node.Name}\n{process.Tail(15)}");
        }
    }

    [Fact]
    public void Status_with_no_node_answering_is_one_line_and_exit_1()
    {
        using var lab = new NetworkLab("obsno");
        var ns = lab.AddHost("n1", "192.0.2.11/24");
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(ns, "status");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("actorvip: no node answers on 127.0.0.1:2112 (is actorvip run running? --metrics-address sets where)", stderr.Trim());
    }

    private static (int Code, string Body) Get(NetworkLab lab, LabNode node, string path)
    {
        var r = lab.Exec(node.Namespace, "curl", "-s", "-m", "5", "-w", "\n%{http_code}", $"http://127.0.0.1:2112{path}");
        var text = r.Stdout;
        var cut = text.LastIndexOf('\n');
        return cut < 0 || !int.TryParse(text[(cut + 1)..], out var code) ? (0, text) : (code, text[..cut]);
    }

    private static int OwnedGauge(NetworkLab lab, LabNode node)
    {
        var m = Regex.Match(Get(lab, node, "/metrics").Body, @"^actorvip_vip_owned\{vip=""192\.0\.2\.100""\} (\d+)$", RegexOptions.Multiline);
        return m.Success ? int.Parse(m.Groups[1].Value) : -1;
    }

    private static long LastGrantedEpoch(LabProcess process) =>
        Regex.Matches(process.Output, @"lease granted""? vip=192\.0\.2\.100 epoch=(\d+)").Select(m => long.Parse(m.Groups[1].Value)).LastOrDefault(-1);
}
