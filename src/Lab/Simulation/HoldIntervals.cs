namespace ActorVip.Lab.Simulation;

/// <summary>
/// Replays a timeline into hold intervals, per node and VIP. A node holds a VIP while the address is present
/// (and its valid lifetime not over) and, if the node has a fence, the fence element has not expired; the
/// kernel drops the VIP's traffic and ARP otherwise. Expiries end a hold without any event, as in the kernel.
/// </summary>
public static class HoldIntervals
{
    private static readonly TimeSpan Forever = TimeSpan.MaxValue;

    public static IReadOnlyList<HoldInterval> Compute(IReadOnlyList<TimelineEvent> events, TimeSpan horizon)
    {
        var result = new List<HoldInterval>();
        var fenced = events.Where(IsFenceEvent).Select(e => e.Node).ToHashSet();
        var vips = events.Where(e => e.Vip is not null && e.Kind is TimelineKind.AddressAdded).Select(e => e.Vip!).Distinct();
        foreach (var node in events.Select(e => e.Node).Distinct())
        {
            foreach (var vip in vips)
                result.AddRange(ForNode(events.Where(e => e.Node == node && (e.Vip == vip || (e.Vip is null && e.Kind == TimelineKind.FenceReset))), node, vip,
                    fenced.Contains(node), horizon));
        }
        return result.OrderBy(i => i.Start).ThenBy(i => i.Node, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<HoldInterval> ForNode(IEnumerable<TimelineEvent> events, string node, string vip, bool isFenced, TimeSpan horizon)
    {
        var addressUntil = (TimeSpan?)null; // null: absent; Forever: no lifetime
        var fenceUntil = (TimeSpan?)null; // null: not owned
        TimeSpan? open = null;
        TimeSpan HeldUntil()
        {
            if (addressUntil is not { } a) return TimeSpan.MinValue;
            if (!isFenced) return a;
            return fenceUntil is { } f && f < a ? f : (fenceUntil is null ? TimeSpan.MinValue : a);
        }
        foreach (var e in events)
        {
            if (e.At > horizon) break;
            var end = HeldUntil();
            if (open is { } start && end <= e.At)
            {
                yield return new HoldInterval(node, vip, start, end, false);
                open = null;
            }
            switch (e.Kind)
            {
                case TimelineKind.AddressAdded: addressUntil = e.Until ?? Forever; break;
                case TimelineKind.AddressRemoved: addressUntil = null; break;
                case TimelineKind.FenceOwned: fenceUntil = e.Until; break;
                case TimelineKind.FenceDisowned:
                case TimelineKind.FenceReset: fenceUntil = null; break;
                default: continue;
            }
            end = HeldUntil();
            if (open is { } begun && end <= e.At)
            {
                yield return new HoldInterval(node, vip, begun, e.At, false);
                open = null;
            }
            else if (open is null && end > e.At)
            {
                open = e.At;
            }
        }
        if (open is { } last)
        {
            var end = HeldUntil();
            yield return end > horizon ? new HoldInterval(node, vip, last, horizon, true) : new HoldInterval(node, vip, last, end, false);
        }
    }

    private static bool IsFenceEvent(TimelineEvent e) => e.Kind is TimelineKind.FenceOwned or TimelineKind.FenceDisowned or TimelineKind.FenceReset;

    /// <summary>Who holds each VIP at the horizon.</summary>
    public static IReadOnlyList<HoldInterval> Current(IReadOnlyList<TimelineEvent> events, TimeSpan now) =>
        Compute(events, now).Where(i => i.Ongoing).ToList();
}
