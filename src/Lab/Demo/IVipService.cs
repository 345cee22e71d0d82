namespace ActorVip.Lab.Demo;

/// <summary>What keeps the VIP alive on the lab's nodes: ActorVip itself, or keepalived as the reference.</summary>
public interface IVipService
{
    /// <summary>A short name for tables, e.g. "actorvip" or "keepalived vrrp2 1s".</summary>
    string Name { get; }

    /// <summary>Starts the service on one node (all nodes of the topology are its peers).</summary>
    LabProcess Start(VipTopology topology, LabNode node);

    /// <summary>
    /// The nodes that have not finished joining their peers yet (a fault is only fair once none are left: a node
    /// still joining is not counted by a quorum). Empty when the service has no such notion.
    /// </summary>
    IReadOnlyList<LabNode> NotJoined(VipTopology topology, IEnumerable<LabProcess> processes) => [];

    /// <summary>
    /// The same service with every node checking the VIP's health by <paramref name="check"/> (the health scenario), or null
    /// when the service has no such check.
    /// </summary>
    IVipService? WithHealthCheck(LabHealthCheck check) => null;
}
