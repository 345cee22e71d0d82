using ActorVip.Lab.Demo;

namespace ActorVip.Lab.Nemesis;

/// <summary>
/// Where one fault was done, on the client's clock: from <see cref="At"/> until the next fault (its hold, heal or
/// restart, and the settle after it). <see cref="NotCountedCause"/> says why its outage does not count toward the
/// promise (no majority of voters stayed connected), null when it counts. <see cref="Owner"/> answered before it.
/// </summary>
public sealed record FaultWindow(PlannedFault Fault, TimeSpan At, TimeSpan End, string? Owner, string? NotCountedCause);

/// <summary>What the client saw in one fault's window: its longest silence and the moments two MACs answered.</summary>
public sealed record FaultOutcome(FaultWindow Window, TimeSpan Outage, IReadOnlyList<DualWindow> Dual)
{
    public PlannedFault Fault => Window.Fault;
    public bool Counted => Window.NotCountedCause is null;
}

/// <summary>
/// The nemesis's verdict, from plain values: every moment two MACs answered (must be none), and the outages after
/// the faults that left a majority of voters connected (each under <see cref="Bound"/>). The other faults are listed
/// with their cause. It holds only if at least one fault was done.
/// </summary>
public sealed record NemesisVerdict(
    IReadOnlyList<DualWindow> Dual,
    IReadOnlyList<FaultOutcome> Counted,
    IReadOnlyList<FaultOutcome> NotCounted,
    TimeSpan Bound)
{
    public static readonly TimeSpan PromiseBound = TimeSpan.FromSeconds(1);

    /// <summary>The middle outage of the counted faults (the upper one of an even count), null without any.</summary>
    public TimeSpan? P50 => Counted.Count == 0 ? null : Sorted[Counted.Count / 2];

    public TimeSpan? Max => Counted.Count == 0 ? null : Sorted[^1];

    /// <summary>Counted faults after which the VIP was silent for <see cref="Bound"/> or longer.</summary>
    public IReadOnlyList<FaultOutcome> OverBound => Counted.Where(o => o.Outage >= Bound).ToList();

    public TimeSpan DualTime => Dual.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Length);

    public bool Holds => Dual.Count == 0 && OverBound.Count == 0 && Counted.Count + NotCounted.Count > 0;

    private static string Which(FaultOutcome o) => $"#{o.Fault.Index + 1} {o.Fault.Name} at {o.Window.At.TotalSeconds:0.000} s";

    private List<TimeSpan> Sorted => Counted.Select(o => o.Outage).Order().ToList();

    /// <summary>Measures every fault's window in what the client saw, and judges the run.</summary>
    public static (IReadOnlyList<FaultOutcome> Outcomes, NemesisVerdict Verdict) Judge(Observation seen, IReadOnlyList<FaultWindow> windows, TimeSpan bound)
    {
        var dual = seen.DualOwnership();
        var outcomes = windows.Select(w => Measure(seen, dual, w)).ToList();
        return (outcomes, new NemesisVerdict(dual, outcomes.Where(o => o.Counted).ToList(), outcomes.Where(o => !o.Counted).ToList(), bound));
    }

    /// <summary>The longest silence from the fault to the end of its window, and the dual-ownership moments that began in it.</summary>
    public static FaultOutcome Measure(Observation seen, IReadOnlyList<DualWindow> dual, FaultWindow window) =>
        new(window, seen.LongestSilence(window.At, window.End), dual.Where(d => d.From >= window.At && d.From < window.End).ToList());

    /// <summary>The verdict as lines: dual ownership, the counted outages, the faults not counted with their cause, and the outcome.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>
        {
            Dual.Count == 0
                ? "dual ownership: 0 moments (never two MACs answering one who-has probe)"
                : $"DUAL OWNERSHIP: {Dual.Count} moments, {DualTime.TotalMilliseconds:0} ms in all, "
                  + $"first at {Dual[0].From.TotalSeconds:0.000} s ({string.Join(" and ", Dual[0].Macs)})",
            Counted.Count == 0
                ? "outages after faults that left a majority connected: none measured"
                : $"outages after {Counted.Count} faults that left a majority connected: "
                  + $"p50 {P50!.Value.TotalMilliseconds:0} ms, max {Max!.Value.TotalMilliseconds:0} ms, "
                  + $"{OverBound.Count} of {Bound.TotalMilliseconds:0} ms or more",
        };
        foreach (var o in OverBound)
            lines.Add($"  over {Bound.TotalMilliseconds:0} ms: {Which(o)}, {o.Outage.TotalMilliseconds:0} ms");
        foreach (var o in NotCounted)
            lines.Add($"not counted: {Which(o)}, outage {o.Outage.TotalMilliseconds:0} ms: {o.Window.NotCountedCause}");
        lines.Add(Holds ? "verdict: HOLDS"
            : Counted.Count + NotCounted.Count == 0 ? "verdict: DOES NOT HOLD (no fault was done; give a longer --duration)"
            : "verdict: DOES NOT HOLD");
        return lines;
    }
}
