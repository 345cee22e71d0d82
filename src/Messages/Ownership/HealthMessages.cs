namespace ActorVip.Messages.Ownership;

/// <summary>
/// What a node's own health checks for one VIP say (issue 14 §1, docs/HEALTH.md): every check passed <c>rise</c> times in
/// a row (healthy), one failed <c>fall</c> times in a row (failing), or not yet settled, or no recent report (unknown).
/// The numbers are the wire form: never renumber.
/// </summary>
public enum VipHealth
{
    Unknown = 0,
    Healthy = 1,
    Failing = 2,
}

/// <summary>One health-tracked VIP in a <see cref="VipHealthReport"/>, and whether it is released when no node is healthy.</summary>
public sealed record VipHealthEntry(string Vip, VipHealth Health, bool ReleaseWhenNoneHealthy = false);

/// <summary>
/// Node (its VipHealthWatch, /user/agent/vip-health) to allocator: the verdict of this node's checks for every VIP it
/// tracks. Sent on every change and re-sent every <c>VipHealthWatch.ResendInterval</c>; the allocator forgets a report
/// after a bounded time, so that a dead node's last word does not linger.
/// </summary>
public sealed record VipHealthReport(NodeId Node, IReadOnlyList<VipHealthEntry> Vips);
