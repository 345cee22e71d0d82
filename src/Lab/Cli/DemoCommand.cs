using System.CommandLine;
using ActorVip.Lab.Demo;
using ActorVip.Node.Cli;

namespace ActorVip.Lab.Cli;

/// <summary>
/// `actorvip-lab demo`: a network of namespaces on this machine, real `actorvip run` nodes on it, a client pinging
/// the VIP, and a fault done to the owner while the client measures how long the VIP was silent.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes (3 or 5)", DefaultValueFactory = _ => 3 };
        var scenario = new Option<string>("--scenario")
        {
            Description = "crash | graceful | partition | kill9 | freeze | health | all (default: crash, then graceful)"
        };
        var keep = new Option<bool>("--keep") { Description = "Leave the last network and its nodes running for exploration, and print how to delete them" };
        var command = new Command("demo", "Show failover on this machine: namespaces on a bridge, real nodes, a client pinging the VIP, a fault to the " +
            "owner (root; needs iproute2)");
        command.Options.Add(nodes);
        command.Options.Add(scenario);
        command.Options.Add(keep);
        command.SetAction(result =>
        {
            var n = result.GetValue(nodes);
            if (n is not (3 or 5))
            {
                Console.Error.WriteLine($"actorvip-lab: --nodes: {n} is not supported (expected 3 or 5)");
                return ExitCodes.BadInput;
            }
            var text = result.GetValue(scenario);
            var scenarios = text is null ? [FailoverScenario.Crash, FailoverScenario.Graceful] : FailoverScenarios.Parse(text);
            if (scenarios is null)
            {
                Console.Error.WriteLine($"actorvip-lab: --scenario: '{text}' is not one of {FailoverScenarios.Names}");
                return ExitCodes.BadInput;
            }
            return Run(n, scenarios, result.GetValue(keep));
        });
        return command;
    }

    private static int Run(int nodes, IReadOnlyList<FailoverScenario> scenarios, bool keep)
    {
        if (!HostCommand.IsRoot)
        {
            Console.Error.WriteLine("actorvip-lab: demo: it creates network namespaces, which needs root; run it with sudo");
            return ExitCodes.Failure;
        }
        var failures = 0;
        for (var i = 0; i < scenarios.Count; i++)
        {
            var s = scenarios[i];
            Console.WriteLine();
            Console.WriteLine($"== {s.Name()}: {Describe(s)}");
            NetworkLab? lab = null;
            try
            {
                lab = new NetworkLab("demo", cleanUpOnSignal: true);
                Say($"network: bridge in {lab.Switch}; {nodes} nodes and a client on 192.0.2.0/24; VIP {VipTopology.Vip}");
                var topology = VipTopology.Build(lab, nodes);
                foreach (var node in topology.Nodes) Say($"  {node.Name}: {node.Namespace} {node.Address} {node.Mac}");
                Say($"  client: {topology.Client} {VipTopology.ClientAddress}, pinging the VIP every 10 ms and asking who-has every 20 ms");
                var trial = new FailoverTrial(topology, new ActorVipService(), Say, lab.Interrupted)
                {
                    WhileServing = processes =>
                    {
                        var up = ActorVipService.MembersUp(topology, processes.Values);
                        Say($"cluster: {(up.Count == 0 ? "(no member reported Up yet)" : string.Join(", ", up.Select(n => n.Name)))} Up; a VIP needs " +
                            $"{nodes / 2 + 1} of {nodes} voters");
                        Say($"owner: the VIP {VipTopology.Vip} is on eth0 in {string.Join(", ", topology.NodesHoldingAddress().Select(n => n.Namespace))}");
                    },
                };
                var r = trial.Run(s);
                if (r.Failure is not null)
                {
                    failures++;
                    Console.WriteLine($"   FAILED: {r.Failure}");
                    Console.WriteLine(r.Logs);
                    continue;
                }
                Console.WriteLine("   timeline (from the fault):");
                foreach (var line in r.Timeline) Console.WriteLine($"   {line}");
                var dual = r.DualOwnershipTime;
                Say($"new owner: {(r.NewOwners.Count == 0 ? "none" : string.Join(", ", r.NewOwners.Select(o => $"{o.Name} ({o.Namespace})")))}");
                Say($"failover: {r.Silence!.Value.TotalMilliseconds:0} ms (the client's longest silence)");
                Say(dual == TimeSpan.Zero ? "dual ownership: none (never two MACs answering who-has VIP)" : $"DUAL OWNERSHIP: {dual.TotalMilliseconds:0} ms");
                if (!r.Recovered || dual > TimeSpan.Zero)
                {
                    failures++;
                    if (!r.Recovered) Say("the VIP did not answer again: see the node logs below");
                    Console.WriteLine(r.Logs);
                }
                if (keep && i == scenarios.Count - 1)
                {
                    lab.Keep = true;
                    Console.WriteLine();
                    Say($"kept: the network and the nodes still run; explore with e.g. `ip netns exec {topology.Client} ping {VipTopology.Vip}`, " +
                        $"logs in {lab.TempDirectory}");
                    Say($"delete it with: {lab.DeleteCommand}");
                }
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("actorvip-lab: demo interrupted; deleting the network");
                return 130;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ActorVip.Node.Linux.Netlink.NetlinkException or TimeoutException)
            {
                Console.Error.WriteLine($"actorvip-lab: demo: {e.Message}");
                return ExitCodes.Failure;
            }
            finally
            {
                lab?.Dispose();
                if (lab is { Keep: false }) Say("network deleted");
            }
        }
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static string Describe(FailoverScenario s) => s switch
    {
        FailoverScenario.Crash => "the owner's process is killed and its cable cut",
        FailoverScenario.Graceful => "the owner is stopped with SIGTERM and hands over",
        FailoverScenario.Partition => "the switch cuts the owner off from the other nodes; the client still reaches everyone",
        FailoverScenario.Kill9 => "the owner's process is killed; its kernel stays up",
        FailoverScenario.Freeze => "the owner's process is frozen (SIGSTOP) for 5 s",
        FailoverScenario.RackCrash => "the owner and the allocator's node are killed and their cables cut together (one rack)",
        FailoverScenario.RackPartition => "the switch cuts the owner and the allocator's node off from the other nodes together",
        FailoverScenario.OneWay => "the switch drops the owner's frames to the other nodes for 10 s, not theirs to it",
        FailoverScenario.FreezeTwo => "two nodes that are not the owner, the allocator's among them, are frozen (SIGSTOP) for 2.5 s",
        FailoverScenario.OneWayIn => "the switch drops every other node's frames to one node that is not the owner for 10 s, not its to them",
        FailoverScenario.Health => "the owner's API server (an HTTP server its health check asks) is stopped; the node runs on",
        _ => s.ToString(),
    };

    private static void Say(string line) => Console.WriteLine($"-- {line}");
}
