namespace ActorVip.Lab.Demo;

/// <summary>What keeps the VIP alive on the lab's nodes: ActorVip itself, or keepalived as the reference.</summary>
public interface IVipService
{
    /// <summary>A short name for tables, e.g. "actorvip" or "keepalived vrrp2 1s".</summary>
    string Name { get; }

    /// <summary>Starts the service on one node (all nodes of the topology are its peers).</summary>
    LabProcess Start(VipTopology topology, LabNode node);
}
