namespace ActorVip.Lab.Nemesis;

/// <summary>
/// The nemesis's fault schedule: pure and seeded, so that a run can be replayed (same seed, nodes, duration and
/// settle: same faults, targets and holds). Most faults cut off or stop a minority of the voters, which the promise
/// covers; about one kill or freeze in six takes a majority, to show what happens beyond it (listed, not counted).
/// </summary>
public static class FaultSchedule
{
    public static readonly TimeSpan MinFreeze = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxFreeze = TimeSpan.FromSeconds(3);

    // Relative weights: a rolling restart takes a whole settle per node, so it comes less often.
    private static readonly (FaultKind Kind, int Weight)[] Weights =
    [
        (FaultKind.Partition, 3), (FaultKind.OneWayDrop, 2), (FaultKind.Kill9, 3), (FaultKind.Freeze, 3), (FaultKind.RollingRestart, 1),
    ];

    /// <summary>Every kind of fault, in the order of the weights (the default of <see cref="Plan"/>).</summary>
    public static IReadOnlyList<FaultKind> AllKinds { get; } = Weights.Select(w => w.Kind).ToList();

    /// <summary>
    /// The faults whose planned start falls within <paramref name="duration"/>, in order, drawn from
    /// <paramref name="kinds"/> (every kind when null; with every kind the plan is the one a seed always gave).
    /// </summary>
    public static IReadOnlyList<PlannedFault> Plan(int seed, int nodes, TimeSpan duration, TimeSpan settle, IReadOnlyCollection<FaultKind>? kinds = null)
    {
        if (nodes < 3) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "a nemesis needs at least 3 nodes");
        var weights = kinds is null ? Weights : Weights.Where(w => kinds.Contains(w.Kind)).ToArray();
        if (weights.Length == 0) throw new ArgumentException("a nemesis needs at least one kind of fault", nameof(kinds));
        var random = new Random(seed);
        var faults = new List<PlannedFault>();
        var at = TimeSpan.Zero;
        while (at < duration)
        {
            var fault = Next(random, weights, faults.Count, at, nodes);
            faults.Add(fault);
            at += Length(fault, settle);
        }
        return faults;
    }

    /// <summary>How long the plan gives a fault before the next: its hold and a settle; a rolling restart a settle per node.</summary>
    public static TimeSpan Length(PlannedFault fault, TimeSpan settle) =>
        fault.Kind == FaultKind.RollingRestart ? settle * (fault.Targets.Count + 1) : fault.Hold + settle;

    private static PlannedFault Next(Random random, (FaultKind Kind, int Weight)[] weights, int index, TimeSpan at, int nodes)
    {
        var kind = Pick(random, weights);
        var minority = (nodes - 1) / 2;
        var all = Enumerable.Range(0, nodes).ToList();
        switch (kind)
        {
            case FaultKind.Partition:
                return new PlannedFault(index, at, kind, Sorted(Subset(random, all, random.Next(1, minority + 1))), Between(random, 1_000, 6_000));
            case FaultKind.OneWayDrop:
                return new PlannedFault(index, at, kind, Sorted(Subset(random, all, random.Next(1, minority + 1))), Between(random, 1_000, 6_000),
                    FromTargets: random.Next(2) == 0);
            case FaultKind.Kill9:
            case FaultKind.Freeze:
                var size = random.Next(6) == 0 ? minority + 1 : random.Next(1, minority + 1);
                var hold = kind == FaultKind.Freeze
                    ? Between(random, (int)MinFreeze.TotalMilliseconds, (int)MaxFreeze.TotalMilliseconds)
                    : Between(random, 500, 5_000);
                return new PlannedFault(index, at, kind, Sorted(Subset(random, all, size)), hold);
            default:
                return new PlannedFault(index, at, kind, Subset(random, all, nodes), TimeSpan.Zero);
        }
    }

    private static FaultKind Pick(Random random, (FaultKind Kind, int Weight)[] weights)
    {
        var roll = random.Next(weights.Sum(w => w.Weight));
        foreach (var (kind, weight) in weights)
        {
            if (roll < weight) return kind;
            roll -= weight;
        }
        throw new InvalidOperationException("unreachable: the weights cover the roll");
    }

    /// <summary><paramref name="count"/> distinct nodes in random order (a partial Fisher-Yates shuffle).</summary>
    private static List<int> Subset(Random random, List<int> all, int count)
    {
        var pool = all.ToList();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, pool.Count);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.Take(count).ToList();
    }

    private static List<int> Sorted(List<int> nodes) => nodes.Order().ToList();

    private static TimeSpan Between(Random random, int minMs, int maxMs) => TimeSpan.FromMilliseconds(random.Next(minMs, maxMs + 1));
}
