using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorVip.Kernel.Tests.Lab;
using ActorVip.Node.Linux;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// A hostile peer on the wire against a real node in a namespace, from a client namespace on the same bridge only:
/// floods of silent connections and of garbage to the cluster port and to the metrics port. Throughout, the node keeps
/// its VIP and answers /healthz; its open inbound connections stay under the caps; silent ones are closed; the log
/// does not grow with the flood. Each flood is bounded in count and time. Figures (RSS, log lines) are printed.
/// </summary>
public class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int ClusterPort = 4053;
    private const int MetricsPort = 2112;
    private const int Flood = 1500;

    [Fact]
    public void Floods_of_the_cluster_and_metrics_ports_are_capped_and_the_node_keeps_its_vip_and_answers_healthz()
    {
        using var lab = new NetworkLab("flood");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var attacker = lab.AddHost("x", "192.0.2.66/24");
        using var actorvip = ActorVipProcess.Start(node, "run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.11:4053",
            "--metrics-address", "192.0.2.11:2112");
        var sockets = new List<Socket>();
        try
        {
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is not null, TimeSpan.FromSeconds(60)), "the VIP never appeared");
            var rssIdle = Rss(actorvip);

            // 1. Silent connections to the cluster port: Akka kept each open for ever.
            var clock = Stopwatch.StartNew();
            sockets.AddRange(Connect(attacker, ClusterPort, Flood, send: null));
            var connectedIn = clock.Elapsed;
            Thread.Sleep(1000);
            var open = Established(lab, node, ClusterPort);
            output.WriteLine($"cluster port, {Flood} silent connections in {connectedIn.TotalSeconds:0.0} s: {open} open on the node, rss " +
                $"{Rss(actorvip)} MB (idle {rssIdle} MB)");
            Assert.True(open <= 8, $"{open} silent connections from one source are open on the cluster port (cap 8)");
            AssertServing(lab, node);
            Assert.True(Ip.Eventually(() => Established(lab, node, ClusterPort) == 0, TimeSpan.FromSeconds(60)),
                $"silent connections still open after 60 s: {Established(lab, node, ClusterPort)}");
            output.WriteLine($"cluster port: silent connections closed after {clock.Elapsed.TotalSeconds:0} s");
            Close(sockets);

            // 2. Garbage on the cluster port: two error lines with stack traces per connection before.
            var linesBefore = Lines(actorvip);
            for (var round = 0; round < 10; round++) Close(Connect(attacker, ClusterPort, 150, send: GarbageFrame()));
            Thread.Sleep(2000);
            var logged = Lines(actorvip) - linesBefore;
            output.WriteLine($"cluster port, 1500 garbage connections: {logged} log lines, rss {Rss(actorvip)} MB");
            Assert.True(logged < 100, $"{logged} log lines for 1500 garbage connections");
            AssertServing(lab, node);

            // 3. The metrics port.
            sockets.AddRange(Connect(attacker, MetricsPort, Flood, send: null));
            Thread.Sleep(1000);
            open = Established(lab, node, MetricsPort);
            output.WriteLine($"metrics port, {Flood} silent connections: {open} open on the node, rss {Rss(actorvip)} MB");
            Assert.True(open <= 16, $"{open} connections from one source are open on the metrics port (cap 16)");
            AssertServing(lab, node);
            Close(sockets);

            var after = Stopwatch.StartNew();
            long rss;
            do
            {
                Thread.Sleep(2000);
                rss = Rss(actorvip);
            }
            while (rss >= 100 && after.Elapsed < TimeSpan.FromSeconds(70));
            output.WriteLine($"rss {rss} MB {after.Elapsed.TotalSeconds:0} s after the floods ended");
            Assert.True(rss < 100, $"rss {rss} MB a minute after the floods ended");
            Assert.False(actorvip.HasExited, "the node died");
        }
        finally
        {
            Close(sockets);
            output.WriteLine(string.Join("\n", actorvip.Output.Split('\n').TakeLast(40)));
        }
    }

    private void AssertServing(NetworkLab lab, string node)
    {
        Assert.NotNull(Ip.FindAddress(lab, node, "192.0.2.100"));
        var health = lab.Exec(node, "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://192.0.2.11:2112/healthz");
        Assert.Equal("200", health.Stdout.Trim());
    }

    /// <summary>Opens up to <paramref name="count"/> connections from the attacker's namespace, optionally sending bytes on each; 10 s at most.</summary>
    private static List<Socket> Connect(string ns, int port, int count, byte[]? send)
    {
        var sockets = new List<Socket>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        using (NetworkNamespace.Enter(ns))
        {
            for (var i = 0; i < count && DateTime.UtcNow < deadline; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    s.Connect(new IPEndPoint(IPAddress.Parse("192.0.2.11"), port));
                    if (send is not null) s.Send(send, SocketFlags.None);
                    sockets.Add(s);
                }
                catch (SocketException)
                {
                    s.Dispose();
                }
            }
        }
        return sockets;
    }

    /// <summary>A length-prefixed frame (Akka's framing) of protobuf garbage.</summary>
    private static byte[] GarbageFrame() => [0, 0, 0, 16, .. Enumerable.Repeat((byte)0xff, 16)];

    private static void Close(List<Socket> sockets)
    {
        foreach (var s in sockets) s.Dispose();
        sockets.Clear();
    }

    private static int Established(NetworkLab lab, string ns, int port) =>
        lab.Sh(ns, $"ss -Htn state established '( sport = :{port} )' | wc -l").Trim() is var n && int.TryParse(n, out var v) ? v : -1;

    private static long Rss(ActorVipProcess process)
    {
        var line = File.ReadLines($"/proc/{process.Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    private static int Lines(ActorVipProcess process) => process.Output.Count(c => c == '\n');
}
