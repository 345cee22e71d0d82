namespace ActorVip.Node.Demo;

/// <summary>Real `actorvip run` processes, one per node, every node a seed and a voter (same order everywhere).</summary>
public sealed class ActorVipService : IVipService
{
    private readonly IReadOnlyList<string> _command;

    public ActorVipService(IReadOnlyList<string>? command = null) => _command = command ?? NodeLauncher.Command();

    public string Name => "actorvip";

    public LabProcess Start(VipTopology topology, LabNode node)
    {
        var args = new List<string>(_command)
        {
            "run", "--interface", "eth0", "--address", VipTopology.Vip.ToString(),
            "--node-address", node.Endpoint, "--nodes", topology.Nodes.Count.ToString(),
        };
        foreach (var seed in topology.Nodes) args.AddRange(["--seed", seed.Endpoint]);
        return topology.Lab.Start(node.Namespace, $"{node.Name}-actorvip-{DateTime.UtcNow:HHmmss.fff}.log", args.ToArray());
    }
}
