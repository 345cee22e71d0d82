namespace ActorVip.Ownership;

/// <summary>
/// The allocator's view of the nodes' health reports, for <see cref="Placement.Decide"/>: which VIPs are health-tracked
/// (some node reported checks for them), each node's verdict per VIP (absent: unknown), and which VIPs are released
/// rather than kept when no node is healthy (<c>when-none-healthy = release</c>).
/// </summary>
public sealed class VipHealthView(
    IReadOnlyDictionary<string, IReadOnlyDictionary<NodeId, VipHealth>> verdicts,
    IReadOnlySet<string> releaseWhenNoneHealthy)
{
    /// <summary>No VIP is health-tracked: placement as without health checks.</summary>
    public static VipHealthView None { get; } =
        new(new Dictionary<string, IReadOnlyDictionary<NodeId, VipHealth>>(), new HashSet<string>());

    public bool Tracks(string vip) => verdicts.ContainsKey(vip);

    public VipHealth Of(string vip, NodeId node) =>
        verdicts.TryGetValue(vip, out var nodes) && nodes.TryGetValue(node, out var health) ? health : VipHealth.Unknown;

    public bool Releases(string vip) => releaseWhenNoneHealthy.Contains(vip);

    /// <summary>A stable text of the whole view: the allocator decides again only when it changed.</summary>
    public string Signature() =>
        string.Join(";", verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v =>
            $"{v.Key}{(Releases(v.Key) ? "!" : "")}=" +
            string.Join(",", v.Value.OrderBy(n => n.Key.Value, StringComparer.Ordinal).Select(n => $"{n.Key.Value}:{(int)n.Value}"))));
}
