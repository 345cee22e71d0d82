using System.Diagnostics;
using ActorVip.Kernel.Tests.Security;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Mutual TLS with real `actorvip run` processes in namespaces: n1 and n2, the two voters (--nodes 2), hold
/// certificates of the cluster CA; n3 tries to join them with a certificate of another CA while trusting the
/// cluster CA itself, so only the accepting side's check of its client certificate can stop it. n1 and n2 form
/// the cluster and one of them owns the VIP; n3 never becomes Up and never holds the VIP; the bridge sees TLS
/// records and never the Akka handshake in clear text. (n3 is not a seed of n1 and n2: Akka 1.5.73 stops a node whose own
/// outbound handshake fails, so a foreign certificate at a voter's address would stop the voters; docs/SECURITY.md.)
/// </summary>
public sealed class TlsEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public void Nodes_of_the_cluster_CA_own_the_VIP_and_a_node_of_another_CA_never_joins()
    {
        using var lab = new NetworkLab("tls");
        using var cluster = new TestAuthority("cluster");
        using var foreign = new TestAuthority("foreign", cluster.Folder);
        var topology = VipTopology.Build(lab, 3);
        var bothCas = Path.Combine(cluster.Folder, "both-ca.pem");
        File.WriteAllText(bothCas, File.ReadAllText(cluster.CaFile) + "\n" + File.ReadAllText(foreign.CaFile));

        var wire = lab.StartLogged(lab.Switch, "wire.log", "tcpdump", "-i", "br0", "-nn", "-l", "-A", "-s0", "tcp port 4053");
        // Segments whose payload starts with a TLS handshake record (content type 0x16, version 0x03..).
        var handshakes = lab.StartLogged(lab.Switch, "handshakes.log", "tcpdump", "-i", "br0", "-nn", "-l",
            "tcp port 4053 and tcp[((tcp[12:1] & 0xf0) >> 2):1] = 0x16 and tcp[((tcp[12:1] & 0xf0) >> 2) + 1:1] = 0x03");
        Thread.Sleep(500); // tcpdump opens its socket asynchronously; the nodes' first handshakes must not be missed

        var processes = new List<LabProcess>();
        foreach (var node in topology.Nodes)
        {
            var intruder = node.Name == "n3";
            var (certificate, key) = (intruder ? foreign : cluster).Issue(node.Name, node.Address);
            var args = new List<string>(NodeLauncher.Command())
            {
                "run", "--interface", "eth0", "--address", VipTopology.Vip.ToString(), "--node-address", node.Endpoint, "--nodes", intruder ? "3" : "2",
                "--tls-certificate", certificate, "--tls-key", key, "--tls-ca", intruder ? bothCas : cluster.CaFile,
            };
            // A node must be one of its own seeds; the intruder lists itself after the voters, so it joins them, and they,
            // whose lists name only n1 and n2, never connect to it.
            foreach (var seed in topology.Nodes.Take(intruder ? 3 : 2)) args.AddRange(["--seed", seed.Endpoint]);
            processes.Add(lab.StartLogged(node.Namespace, $"{node.Name}-actorvip.log", args.ToArray()));
        }
        var n3 = topology.Nodes[2];

        var clock = Stopwatch.StartNew();
        var heldByIntruder = false;
        IReadOnlyList<LabNode> holders = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            holders = topology.NodesHoldingAddress();
            heldByIntruder |= holders.Contains(n3);
            var refused = processes.Take(2).Any(p =>
                p.Output.Contains("tls: refused", StringComparison.Ordinal) && p.Output.Contains("CN=n3", StringComparison.Ordinal));
            if (holders.Count == 1 && refused && ActorVipService.MembersUp(topology, processes).Count == 2) break;
            Thread.Sleep(200);
        }
        // A little longer, so that a late join of n3 would show.
        Thread.Sleep(3000);
        holders = topology.NodesHoldingAddress();
        heldByIntruder |= holders.Contains(n3);
        var up = ActorVipService.MembersUp(topology, processes);
        var logs = string.Join("\n", processes.Select((p, i) => $"--- n{i + 1}\n{p.Tail(40)}"));
        output.WriteLine($"holders {string.Join(",", holders.Select(h => h.Name))}, up {string.Join(",", up.Select(n => n.Name))} after " +
            $"{clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"rss with TLS: n1 {processes[0].Usage().RssKb / 1024.0:0.0} MB, n2 {processes[1].Usage().RssKb / 1024.0:0.0} MB");

        Assert.True(holders.Count == 1 && holders[0] != n3, "expected exactly one of n1, n2 to hold the VIP, got " +
            $"[{string.Join(",", holders.Select(h => h.Name))}]\n{logs}");
        Assert.False(heldByIntruder, $"n3 (certificate of another CA) held the VIP\n{logs}");
        Assert.Equal(["n1", "n2"], up.Select(n => n.Name).Order().ToArray());
        Assert.True(
            processes.Take(2).Any(p => p.Output.Contains("tls: refused", StringComparison.Ordinal) && p.Output.Contains("CN=n3", StringComparison.Ordinal)),
            $"neither n1 nor n2 logged that it refused n3's certificate\n{logs}\n" +
            $"{string.Join("\n", processes.Select(p => p.Output).Where(o => o.Contains("TLS", StringComparison.OrdinalIgnoreCase)).Take(3))}");

        // The node's logger: one logfmt line per ownership event, with the VIP, epoch and node as fields.
        var holder = processes[topology.Nodes.ToList().IndexOf(holders[0])];
        Assert.Matches(
            $@"(?m)^ts=\S+Z level=info source=NodeAgent msg=""lease granted"" vip=192\.0\.2\.100 epoch=\d+ " +
            $@"node=akka\.ssl\.tcp://actorvip@{holders[0].Address.ToString().Replace(".", "\\.")}:4053 ",
            holder.Output);

        wire.Signal(2);
        handshakes.Signal(2);
        wire.WaitForExit(TimeSpan.FromSeconds(5));
        handshakes.WaitForExit(TimeSpan.FromSeconds(5));
        var captured = File.ReadAllText(wire.LogPath);
        var tlsSegments = File.ReadAllLines(handshakes.LogPath).Count(l => l.Contains(".4053", StringComparison.Ordinal));
        output.WriteLine($"wire: {captured.Split('\n').Length} lines of capture, {tlsSegments} segments starting with a TLS handshake record");
        Assert.True(tlsSegments > 0, "no TLS handshake record seen on the bridge");
        // The Akka association handshake names the system and addresses in clear text over plain TCP.
        Assert.DoesNotContain("actorvip@", captured);
    }
}
