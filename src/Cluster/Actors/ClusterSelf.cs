using Akka.Cluster;

namespace ActorVip.Ownership.Actors;

/// <summary>What a node's own view of the cluster says of the node itself.</summary>
public static class ClusterSelf
{
    /// <summary>This node's status in its own view of <paramref name="cluster"/>, or null when it is a member of none.</summary>
    public static MemberStatus? Status(Akka.Cluster.Cluster cluster) =>
        cluster.State.Members.FirstOrDefault(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress))?.Status;
}
