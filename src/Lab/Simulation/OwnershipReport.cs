using System.Text;

namespace ActorVip.Lab.Simulation;

/// <summary>Two nodes held <paramref name="Vip"/> at once from <paramref name="Start"/> to <paramref name="End"/>.</summary>
public sealed record Overlap(string Vip, HoldInterval First, HoldInterval Second, TimeSpan Start, TimeSpan End, string Excerpt);

/// <summary>
/// After <paramref name="Fault"/>, <paramref name="LostBy"/> stopped holding <paramref name="Vip"/> at <paramref name="LostAt"/>
/// and <paramref name="NextHolder"/> acquired it <paramref name="Time"/> after the fault (null: nobody did).
/// </summary>
public sealed record Failover(TimelineEvent Fault, string Vip, string LostBy, TimeSpan LostAt, string? NextHolder, TimeSpan? Time)
{
    /// <summary>Another node took over: a failover proper, as opposed to the same node getting its lease back.</summary>
    public bool IsHandover => NextHolder is not null && NextHolder != LostBy;
}

/// <summary>What the single-owner checker found in a timeline.</summary>
public sealed record OwnershipReport(
    IReadOnlyList<HoldInterval> Holds,
    IReadOnlyList<Overlap> Overlaps,
    IReadOnlyList<Failover> Failovers,
    TimeSpan LongestGap)
{
    /// <summary>The invariant: at no instant did two nodes hold the same VIP.</summary>
    public bool SingleOwner => Overlaps.Count == 0;

    public string Describe()
    {
        var b = new StringBuilder();
        b.AppendLine(SingleOwner ? "single owner: held (no two nodes held a VIP at once)" : $"single owner: VIOLATED ({Overlaps.Count} overlaps)");
        foreach (var o in Overlaps)
        {
            b.AppendLine($"  overlap vip={o.Vip} {o.Start.TotalMilliseconds:0.0}..{o.End.TotalMilliseconds:0.0}ms ({(o.End - o.Start).TotalMilliseconds:0.0} " +
                $"ms): {o.First} / {o.Second}");
            b.AppendLine("  timeline around it:");
            b.AppendLine(o.Excerpt);
        }
        foreach (var f in Failovers)
        {
            var outcome = f.Time is not { } t ? "nobody holds it since"
                : f.IsHandover ? $"{f.NextHolder} holds it {t.TotalMilliseconds:0} ms after the fault"
                : $"{f.NextHolder} got it back {t.TotalMilliseconds:0} ms after the fault (not a failover)";
            b.AppendLine($"  failover after '{f.Fault.Detail}' at {f.Fault.At.TotalMilliseconds:0}ms: {f.LostBy} lost vip={f.Vip} at " +
                $"{f.LostAt.TotalMilliseconds:0}ms; {outcome}");
        }
        b.Append($"  longest no-owner gap: {LongestGap.TotalMilliseconds:0} ms");
        return b.ToString();
    }
}
