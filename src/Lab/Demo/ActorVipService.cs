using System.Text.RegularExpressions;

namespace ActorVip.Lab.Demo;

/// <summary>Real `actorvip run` processes, one per node, every node a seed and a voter (same order everywhere).</summary>
public sealed class ActorVipService : IVipService
{
    private readonly IReadOnlyList<string> _command;
    private readonly string? _config;

    /// <param name="config">A config file every node reads (`--config`) instead of the one VIP on the command line; it names the VIPs.</param>
    public ActorVipService(IReadOnlyList<string>? command = null, string? config = null)
    {
        _command = command ?? NodeLauncher.Command();
        _config = config;
    }

    public string Name => "actorvip";

    /// <summary>The nodes that a cluster leader moved to Up, as the nodes' logs say (Akka logs it at info level).</summary>
    public static IReadOnlyList<LabNode> MembersUp(VipTopology topology, IEnumerable<LabProcess> processes)
    {
        var up = processes.SelectMany(p => UpAddresses(p.Output)).ToHashSet();
        return topology.Nodes.Where(n => up.Contains(n.Address.ToString())).ToList();
    }

    /// <summary>
    /// The nodes no leader has moved to Up yet. Akka's split brain resolver counts only Up members: with 5 nodes,
    /// one still Joining and two Up ones lost, the two survivors tie with the lost two and the side with the lowest
    /// address (the lost one) wins, so the survivors down themselves (seen in CI: a rack crash 2 s after the fifth node's welcome).
    /// </summary>
    public IReadOnlyList<LabNode> NotJoined(VipTopology topology, IEnumerable<LabProcess> processes)
    {
        var up = MembersUp(topology, processes);
        return topology.Nodes.Where(n => !up.Contains(n)).ToList();
    }

    /// <summary>The address of every node that a leader moved to Up in this log, once per time (a restarted node comes Up again).</summary>
    public static IEnumerable<string> UpAddresses(string log) =>
        Regex.Matches(log, @"Leader is moving node \[akka(?:\.ssl)?\.tcp://actorvip@([0-9.]+):\d+\] to \[Up\]").Select(m => m.Groups[1].Value);

    public LabProcess Start(VipTopology topology, LabNode node)
    {
        var args = new List<string>(_command)
        {
            "run", "--interface", "eth0", "--node-address", node.Endpoint, "--nodes", topology.Nodes.Count.ToString(),
        };
        // A flag would win over the file's addresses, so with a file there is none.
        args.AddRange(_config is null ? ["--address", VipTopology.Vip.ToString()] : ["--config", _config]);
        foreach (var seed in topology.Nodes) args.AddRange(["--seed", seed.Endpoint]);
        return topology.Lab.StartLogged(node.Namespace, $"{node.Name}-actorvip-{DateTime.UtcNow:HHmmss.fff}.log", args.ToArray());
    }
}
