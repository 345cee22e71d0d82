namespace ActorVip.Lab.Nemesis;

/// <summary>What the nemesis does to the nodes' processes or to the switch between them.</summary>
public enum FaultKind
{
    /// <summary>The switch drops frames between a group of nodes and the rest, both ways; healed after <see cref="PlannedFault.Hold"/>.</summary>
    Partition,
    /// <summary>The switch drops frames from one side to the other only (the other direction still flows); healed after the hold.</summary>
    OneWayDrop,
    /// <summary>SIGKILL of the targets' processes (their kernels and cables stay up), restarted after the hold.</summary>
    Kill9,
    /// <summary>SIGSTOP of the targets' processes for the hold (100 ms .. 3 s), then SIGCONT.</summary>
    Freeze,
    /// <summary>Every node in turn: SIGTERM, wait for its exit, start it again, wait until it is Up again.</summary>
    RollingRestart,
}

/// <summary>
/// One fault of the schedule. <see cref="Targets"/> are node indexes (0-based). For a one-way drop the frames from
/// <see cref="Targets"/> to the rest are dropped when <see cref="FromTargets"/>, else those from the rest to the targets.
/// For a rolling restart <see cref="Targets"/> is every node in the order they are restarted. <see cref="PlannedAt"/> is
/// where the plan puts the fault (hold and settle of the faults before it); the runner does it no earlier than that,
/// and later when restarts took longer.
/// </summary>
public sealed record PlannedFault(int Index, TimeSpan PlannedAt, FaultKind Kind, IReadOnlyList<int> Targets, TimeSpan Hold, bool FromTargets = true)
{
    public static string KindName(FaultKind kind) => kind switch
    {
        FaultKind.Partition => "partition",
        FaultKind.OneWayDrop => "one-way-drop",
        FaultKind.Kill9 => "kill9-restart",
        FaultKind.Freeze => "sigstop",
        FaultKind.RollingRestart => "rolling-restart",
        _ => kind.ToString(),
    };

    public string Name => KindName(Kind);

    /// <summary>
    /// Null when a majority of the <paramref name="nodes"/> voters stays connected to each other through the fault
    /// (the promise then says: answered again in under a second); otherwise why not.
    /// </summary>
    public string? NoMajorityCause(int nodes)
    {
        var majority = nodes / 2 + 1;
        var cut = Kind switch
        {
            // The rest stays one connected group; a partition or a one-way drop cuts the targets off from it.
            FaultKind.Partition or FaultKind.OneWayDrop => Math.Min(Targets.Count, nodes - Targets.Count),
            // One node at a time, and the next only once the previous is Up again.
            FaultKind.RollingRestart => 1,
            _ => Targets.Count,
        };
        if (nodes - cut >= majority) return null;
        var what = Kind switch
        {
            FaultKind.Kill9 => "killed",
            FaultKind.Freeze => "frozen",
            _ => "cut off",
        };
        return $"{cut} of {nodes} voters {what}: {nodes - cut} connected, a majority needs {majority}";
    }

    /// <summary>The targets by name (n1..nN), e.g. "n1,n3", and for a drop its direction.</summary>
    public string Describe(int nodes)
    {
        string Names(IEnumerable<int> indexes) => string.Join(",", indexes.Select(i => $"n{i + 1}"));
        var rest = Enumerable.Range(0, nodes).Except(Targets).Order();
        return Kind switch
        {
            FaultKind.Partition => $"{Names(Targets)} | {Names(rest)}, healed after {Hold.TotalMilliseconds:0} ms",
            FaultKind.OneWayDrop => FromTargets
                ? $"{Names(Targets)} -> {Names(rest)} dropped, healed after {Hold.TotalMilliseconds:0} ms"
                : $"{Names(rest)} -> {Names(Targets)} dropped, healed after {Hold.TotalMilliseconds:0} ms",
            FaultKind.Kill9 => $"{Names(Targets)}, restarted after {Hold.TotalMilliseconds:0} ms",
            FaultKind.Freeze => $"{Names(Targets)} for {Hold.TotalMilliseconds:0} ms",
            FaultKind.RollingRestart => $"{Names(Targets)} one at a time",
            _ => Names(Targets),
        };
    }
}
