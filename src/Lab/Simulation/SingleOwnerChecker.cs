namespace ActorVip.Lab.Simulation;

/// <summary>
/// Checks the invariant every scenario must keep, at no instant do two nodes hold the same VIP, over a whole
/// timeline, and measures failovers (fault to the next acquire) and the longest span in which nobody held a VIP.
/// </summary>
public static class SingleOwnerChecker
{
    private static readonly TimeSpan Before = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan After = TimeSpan.FromMilliseconds(300);

    public static OwnershipReport Check(IReadOnlyList<TimelineEvent> events, TimeSpan horizon)
    {
        var holds = HoldIntervals.Compute(events, horizon);
        return new OwnershipReport(holds, Overlaps(events, holds), Failovers(events, holds), LongestGap(holds, horizon));
    }

    public static OwnershipReport Check(Timeline timeline)
    {
        var events = timeline.Events;
        return Check(events, timeline.Now);
    }

    private static List<Overlap> Overlaps(IReadOnlyList<TimelineEvent> events, IReadOnlyList<HoldInterval> holds)
    {
        var overlaps = new List<Overlap>();
        foreach (var byVip in holds.GroupBy(h => h.Vip))
        {
            var list = byVip.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    var (a, b) = (list[i], list[j]);
                    if (a.Node == b.Node) continue;
                    var start = a.Start > b.Start ? a.Start : b.Start;
                    var end = a.End < b.End ? a.End : b.End;
                    if (start < end) overlaps.Add(new Overlap(byVip.Key, a, b, start, end, Excerpt(events, byVip.Key, start, end)));
                }
            }
        }
        return overlaps;
    }

    private static string Excerpt(IReadOnlyList<TimelineEvent> events, string vip, TimeSpan start, TimeSpan end) =>
        Timeline.Format(events.Where(e => e.At >= start - Before && e.At <= end + After && (e.Vip is null || e.Vip == vip)), withLogs: true);

    private static List<Failover> Failovers(IReadOnlyList<TimelineEvent> events, IReadOnlyList<HoldInterval> holds)
    {
        var faults = events.Where(e => e.Kind == TimelineKind.Fault).ToList();
        var result = new List<Failover>();
        for (var k = 0; k < faults.Count; k++)
        {
            var fault = faults[k];
            var nextFault = k + 1 < faults.Count ? faults[k + 1].At : TimeSpan.MaxValue;
            foreach (var byVip in holds.GroupBy(h => h.Vip))
            {
                // Only a fault that cost the holder its hold before the next fault is a failover.
                var held = byVip.FirstOrDefault(h => h.Contains(fault.At));
                if (held is null || held.Ongoing || held.End >= nextFault) continue;
                var next = byVip.Where(h => h.Start >= held.End).OrderBy(h => h.Start).FirstOrDefault();
                result.Add(new Failover(fault, byVip.Key, held.Node, held.End, next?.Node, next is null ? null : next.Start - fault.At));
            }
        }
        return result;
    }

    private static TimeSpan LongestGap(IReadOnlyList<HoldInterval> holds, TimeSpan horizon)
    {
        var longest = TimeSpan.Zero;
        foreach (var byVip in holds.GroupBy(h => h.Vip))
        {
            var sorted = byVip.OrderBy(h => h.Start).ToList();
            var coveredUntil = sorted[0].End;
            foreach (var h in sorted.Skip(1))
            {
                if (h.Start > coveredUntil && h.Start - coveredUntil > longest) longest = h.Start - coveredUntil;
                if (h.End > coveredUntil) coveredUntil = h.End;
            }
            if (horizon > coveredUntil && horizon - coveredUntil > longest) longest = horizon - coveredUntil;
        }
        return longest;
    }
}
