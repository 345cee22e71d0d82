namespace ActorVip.Ownership;

/// <summary>
/// The allocator's record of the nodes' <see cref="VipHealthReport"/>s (issue 14 §1), turned into a <see cref="VipHealthView"/>.
/// A node re-sends its report every few seconds; one older than <see cref="Expiry"/> is forgotten, so that a dead
/// node's last "healthy" does not make it a placement target, nor its last "failing" move a VIP.
/// </summary>
public sealed class VipHealthBook
{
    /// <summary>How long a report counts: a little over three of the node's re-sends (VipHealthWatch.ResendInterval, 2 s).</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMilliseconds(6500);

    private readonly Dictionary<NodeId, (VipHealthReport Report, TimeSpan At)> _reports = new();

    public void Record(VipHealthReport report, TimeSpan now) => _reports[report.Node] = (report, now);

    /// <summary>The reports that still count at <paramref name="now"/>, per VIP and node.</summary>
    public VipHealthView View(TimeSpan now)
    {
        var verdicts = new Dictionary<string, Dictionary<NodeId, VipHealth>>(StringComparer.Ordinal);
        var release = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, (report, at)) in _reports)
        {
            if (now - at > Expiry) continue;
            foreach (var entry in report.Vips)
            {
                if (!verdicts.TryGetValue(entry.Vip, out var nodes)) verdicts[entry.Vip] = nodes = new Dictionary<NodeId, VipHealth>();
                nodes[node] = entry.Health;
                if (entry.ReleaseWhenNoneHealthy) release.Add(entry.Vip);
            }
        }
        return new VipHealthView(verdicts.ToDictionary(v => v.Key, v => (IReadOnlyDictionary<NodeId, VipHealth>)v.Value, StringComparer.Ordinal), release);
    }

    /// <summary>The next moment a report expires (the view changes with time alone), or null.</summary>
    public TimeSpan? NextChange(TimeSpan now)
    {
        TimeSpan? next = null;
        foreach (var (_, at) in _reports.Values)
        {
            var end = at + Expiry + TimeSpan.FromTicks(1);
            if (end > now && (next is null || end < next)) next = end;
        }
        return next;
    }
}
