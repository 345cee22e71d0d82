using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Issue 13 §2.3 as an operator meets it: three real `actorvip run` nodes, the third with another lease-time (a rolling
/// change half done). Akka.NET 1.5.73 has no join configuration check, so all three join; the lease refuses instead:
/// the third node's voter refuses the others' renewals and theirs refuse its own, each side says so in one line naming
/// the setting and both values, and the third node never holds the VIP on votes that promise less than its lease.
/// </summary>
public sealed class SettingsMismatchEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public void A_node_with_another_lease_time_is_refused_by_the_voters_and_both_sides_name_the_setting()
    {
        using var lab = new NetworkLab("mism");
        var topology = VipTopology.Build(lab, 3);
        var config = Path.Combine(lab.TempDirectory, "longer-lease.conf");
        File.WriteAllText(config, "actorvip.lease.lease-time = 1s\n");
        var processes = topology.Nodes.Select((node, i) =>
        {
            var args = new List<string>(NodeLauncher.Command())
            {
                "run", "--interface", "eth0", "--address", VipTopology.Vip.ToString(), "--node-address", node.Endpoint, "--nodes", "3",
            };
            foreach (var seed in topology.Nodes) args.AddRange(["--seed", seed.Endpoint]);
            if (i == 2) args.AddRange(["--config", config]);
            return lab.StartLogged(node.Namespace, $"{node.Name}-actorvip.log", args.ToArray());
        }).ToList();
        var odd = topology.Nodes[2];
        var oddHeld = false;
        var mostHolders = 0;
        try
        {
            bool Said(string text) => processes.Any(p => p.Output.Contains(text, StringComparison.Ordinal));
            var refused = Ip.Eventually(() =>
            {
                var holders = topology.NodesHoldingAddress();
                oddHeld |= holders.Contains(odd);
                mostHolders = Math.Max(mostHolders, holders.Count);
                return Said("a voter refuses this node's lease renewals") && Said("refusing every lease renewal of an owner");
            }, Bound);
            Assert.True(refused, "no settings refusal was logged on both sides:\n" + string.Join("\n", processes.Select(p => p.Tail())));

            // Whoever owned, the owner's line names lease-time with both values, seen from its side.
            var ownerLines = processes.SelectMany(p => p.Output.Split('\n'))
                .Where(l => l.Contains("a voter refuses this node's lease renewals", StringComparison.Ordinal)).ToList();
            foreach (var line in ownerLines) output.WriteLine(line);
            Assert.All(ownerLines, l =>
                Assert.Matches(@"vip=192\.0\.2\.100 .*differences=""lease\.lease-time: (700ms here, 1000ms there|1000ms here, 700ms there)""", l));
            // Once per VIP and voter: the odd node is refused by two voters, the others by one.
            Assert.All(processes, p => Assert.InRange(Regex.Count(p.Output, "a voter refuses this node's lease renewals"), 0, 2));
            Assert.False(oddHeld, $"{odd.Name} held the VIP on acks of voters that promise 800 ms against its 1 s lease");
            Assert.True(mostHolders <= 1, "two nodes carried the VIP at once");
            // Not asserted (placement is another matter): who carries the VIP now. Placed on the odd node, it stays dark
            // until that node is stopped or given the others' settings.
            output.WriteLine($"carrying the VIP now: {string.Join(",", topology.NodesHoldingAddress().Select(n => n.Name))}");
        }
        finally
        {
            foreach (var p in processes) output.WriteLine(p.Tail(15));
        }
    }
}
