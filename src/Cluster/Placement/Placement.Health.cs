namespace ActorVip.Ownership;

/// <summary>
/// Health tracking in placement (issue 14 §1, docs/HEALTH.md). For a VIP some node reported health checks for:
/// a new owner is chosen among the nodes whose checks pass, while any does; an owner whose checks fail leaves for
/// such a node (a graceful hand-over: Revoke, release, acquire). With no healthy node the VIP stays where it is
/// (when-none-healthy = keep) or is released (release). An owner not yet known healthy (no report yet, as after the
/// allocator moved) keeps its VIP: only a failing verdict moves it, so a new allocator moves nothing.
/// </summary>
public static partial class Placement
{
    /// <summary>The owner fails its checks and another eligible node passes them, or the VIP is released when none does.</summary>
    private static bool HealthMovesAway(VipSpec spec, NodeId owner, Dictionary<NodeId, MemberView> eligible, VipHealthView health)
    {
        if (!health.Tracks(spec.Vip) || health.Of(spec.Vip, owner) != VipHealth.Failing) return false;
        // The owner turned unhealthy and the VIP leaves it (for a healthy node, or for nobody with release); the owner itself runs
        // its fault hook when its checks turn failing (VipHealthWatch, NotifyHooks.Fault).
        return health.Releases(spec.Vip) || eligible.Keys.Any(n => n != owner && health.Of(spec.Vip, n) == VipHealth.Healthy);
    }

    /// <summary>
    /// The nodes a health-tracked VIP may be given: the healthy ones while any is; else none with release; else (keep)
    /// those not known to fail, and only if every node fails, any of them: a VIP served by a failing node beats none.
    /// </summary>
    private static IEnumerable<MemberView> HealthCandidates(VipSpec spec, IEnumerable<MemberView> candidates, VipHealthView health)
    {
        if (!health.Tracks(spec.Vip)) return candidates;
        var all = candidates.ToList();
        var healthy = all.Where(m => health.Of(spec.Vip, m.Node) == VipHealth.Healthy).ToList();
        if (healthy.Count > 0 || health.Releases(spec.Vip)) return healthy;
        var unknown = all.Where(m => health.Of(spec.Vip, m.Node) == VipHealth.Unknown).ToList();
        return unknown.Count > 0 ? unknown : all;
    }
}
