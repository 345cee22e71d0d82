namespace ActorVip.Benchmarks;

/// <summary>Nearest-rank percentiles over a handful of trials.</summary>
public static class Percentile
{
    public static TimeSpan Of(IReadOnlyList<TimeSpan> values, double p)
    {
        if (values.Count == 0) return TimeSpan.Zero;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
