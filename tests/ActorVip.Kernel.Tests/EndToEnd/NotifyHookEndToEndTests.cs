using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// A real one-node `actorvip run` in a namespace with actorvip.notify set (issue 14 §4): on acquiring the VIP it runs the
/// hook, which writes its ACTORVIP_* environment to a file and exits 3; the failure is counted in
/// actorvip_hook_failures_total{vip,event}.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NotifyHookEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public void The_acquired_hook_gets_its_environment_and_a_failing_hook_is_counted()
    {
        var dir = Directory.CreateTempSubdirectory("actorvip-notify-").FullName;
        var envFile = Path.Combine(dir, "acquired.env");
        var hook = Path.Combine(dir, "hook.sh");
        File.WriteAllText(hook, $"#!/bin/sh\n[ \"$ACTORVIP_EVENT\" = acquired ] && env | grep ^ACTORVIP_ | sort > {envFile}\nexit 3\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Path.Combine(dir, "actorvip.conf");
        File.WriteAllText(config, $"actorvip.notify {{ command = \"{hook}\", timeout = 5s }}\n");

        using var lab = new NetworkLab("hook");
        var topology = VipTopology.Build(lab, 1);
        var node = topology.Nodes.Single();
        var args = new List<string>(NodeLauncher.Command())
        {
            "run", "--config", config, "--interface", "eth0", "--address", VipTopology.Vip.ToString(), "--node-address", node.Endpoint, "--nodes", "1",
        };
        using var process = lab.StartLogged(node.Namespace, $"{node.Name}-actorvip-hook.log", args.ToArray());
        try
        {
            Assert.True(Ip.Eventually(() => File.Exists(envFile) && File.ReadAllLines(envFile).Length == 6, Bound),
                $"the acquired hook never wrote its environment\n{process.Tail(30)}");
            var epoch = Regex.Match(process.Output, @"lease granted""? vip=192\.0\.2\.100 epoch=(\d+)").Groups[1].Value;
            Assert.Equal(
            [
                $"ACTORVIP_EPOCH={epoch}", "ACTORVIP_EVENT=acquired", "ACTORVIP_INTERFACE=eth0", $"ACTORVIP_NODE=akka.tcp://actorvip@{node.Endpoint}",
                "ACTORVIP_REASON=", "ACTORVIP_VIP=192.0.2.100",
            ], File.ReadAllLines(envFile));
            // The VIP is up whatever the hook said: ownership never waits for it.
            Assert.Equal([node], topology.NodesHoldingAddress());
            const string failures = @"(?m)^actorvip_hook_failures_total\{vip=""192\.0\.2\.100"",event=""acquired""\} 1$";
            Assert.True(Ip.Eventually(() => Regex.IsMatch(Metrics(lab, node), failures), TimeSpan.FromSeconds(10)),
                $"no hook failure counted:\n{Metrics(lab, node)}");
            Assert.Matches(@"level=warning source=NotifyActor msg=""notify hook failed: exit 3; output: none"" event=acquired vip=192\.0\.2\.100 epoch=",
                process.Output);
        }
        finally
        {
            output.WriteLine(process.Tail(30));
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Metrics(NetworkLab lab, LabNode node) =>
        lab.Exec(node.Namespace, "curl", "-s", "-m", "5", "http://127.0.0.1:2112/metrics").Stdout;
}
