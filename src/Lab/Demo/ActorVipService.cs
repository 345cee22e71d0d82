using System.Text.RegularExpressions;

namespace ActorVip.Lab.Demo;

/// <summary>Real `actorvip run` processes, one per node, every node a seed and a voter (same order everywhere).</summary>
public sealed class ActorVipService : IVipService
{
    private readonly IReadOnlyList<string> _command;
    private readonly string? _config;
    private readonly LabHealthCheck? _health;
    private readonly string _settings;

    /// <param name="config">A config file every node reads (`--config`) instead of the one VIP on the command line; it names the VIPs.</param>
    /// <param name="health">With no <paramref name="config"/>: the one VIP's health check (actorvip.health-checks in a config file of its own).</param>
    /// <param name="settings">With no <paramref name="config"/>: more HOCON for every node, e.g. actorvip.notify (in that same file).</param>
    public ActorVipService(IReadOnlyList<string>? command = null, string? config = null, LabHealthCheck? health = null, string settings = "")
    {
        _command = command ?? NodeLauncher.Command();
        _config = config;
        _health = health;
        _settings = settings;
    }

    /// <summary>With a config file of its own, the checks are the file's business.</summary>
    public IVipService? WithHealthCheck(LabHealthCheck check) => _config is null ? new ActorVipService(_command, health: check, settings: _settings) : null;

    public string Name => "actorvip";

    /// <summary>The nodes that a cluster leader moved to Up, as the nodes' logs say (Akka logs it at info level).</summary>
    public static IReadOnlyList<LabNode> MembersUp(VipTopology topology, IEnumerable<LabProcess> processes)
    {
        var up = processes.SelectMany(p => UpAddresses(p.Output)).ToHashSet();
        return topology.Nodes.Where(n => up.Contains(n.Address.ToString())).ToList();
    }

    /// <summary>
    /// The nodes that do not yet see themselves Up with a majority. Akka's split brain resolver counts only Up members, and
    /// each node decides on its own view: with 5 nodes, one still Joining and two Up ones lost, the two survivors tie with
    /// the lost two and the side with the lowest address (the lost one) wins, so the survivors down themselves (seen in
    /// CI: a rack crash 2 s after the fifth node's welcome). The leader's log line is not enough: a full run faulted 1 s after the
    /// leader moved every node Up, and three nodes had not heard it yet (they still saw themselves Joining, then WeaklyUp).
    /// So a node counts as joined once a leader logged it Up and its own /readyz (self Up, the allocator reachable, a
    /// majority of voters Up) answers 200.
    /// </summary>
    public IReadOnlyList<LabNode> NotJoined(VipTopology topology, IEnumerable<LabProcess> processes)
    {
        var up = MembersUp(topology, processes);
        return topology.Nodes.Where(n => !up.Contains(n) || !Ready(topology.Lab, n)).ToList();
    }

    /// <summary>Whether the node's /readyz answers 200, asked inside its namespace on the default metrics address.</summary>
    private static bool Ready(NetworkLab lab, LabNode node) =>
        lab.Exec(node.Namespace, "curl", "-sf", "-m", "1", $"http://{MetricsAddress}/readyz").ExitCode == 0;

    /// <summary>Where a lab node serves /readyz: the default of `metrics-address` (hocon/reference.conf), inside its namespace.</summary>
    public const string MetricsAddress = "127.0.0.1:2112";

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
        if (_config is null && (_health is not null || _settings.Length > 0))
        {
            var file = Path.Combine(topology.Lab.TempDirectory, "actorvip-health.conf");
            File.WriteAllText(file, (_health is null ? "" : $"actorvip.health-checks = [ {_health.Hocon} ]\n") + _settings + "\n");
            args.AddRange(["--config", file]);
        }
        foreach (var seed in topology.Nodes) args.AddRange(["--seed", seed.Endpoint]);
        return topology.Lab.StartLogged(node.Namespace, $"{node.Name}-actorvip-{DateTime.UtcNow:HHmmss.fff}.log", args.ToArray());
    }
}
