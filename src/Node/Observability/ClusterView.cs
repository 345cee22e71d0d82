using Akka.Cluster;

namespace ActorVip.Node.Observability;

/// <summary>One cluster member as this node sees it, for the status table and readiness (the allocator's view is Ownership's MemberView).</summary>
public sealed record ObservedMember(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable);

/// <summary>
/// The membership as this node sees it, for readiness, the member gauge and `actorvip status`. The allocator's node
/// is the oldest Up member with role `vip`, where the cluster singleton runs.
/// </summary>
public sealed record ClusterView(string Self, IReadOnlyList<ObservedMember> Members, string? Allocator, int Majority)
{
    /// <summary>Every status a member can have, so that the gauge shows zeros too.</summary>
    public static readonly IReadOnlyList<string> Statuses = Enum.GetNames<MemberStatus>();

    /// <param name="majority">The lease's majority of the configured voters (LeaseSettings.Majority).</param>
    public static ClusterView Of(Akka.Cluster.Cluster cluster, int majority)
    {
        var state = cluster.State;
        var members = state.Members
            .Select(m => new ObservedMember(m.Address.ToString(), m.Status.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToList(),
                !state.Unreachable.Contains(m)))
            .ToList();
        var allocator = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole("vip"))
            .OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        return new ClusterView(cluster.SelfAddress.ToString(), members, allocator?.Address.ToString(), majority);
    }

    public ObservedMember? SelfMember => Members.FirstOrDefault(m => m.Address == Self);

    /// <summary>Members per status (every status listed, zero when none).</summary>
    public IReadOnlyDictionary<string, int> CountByStatus() =>
        Statuses.ToDictionary(s => s, s => Members.Count(m => m.Status == s));
}
