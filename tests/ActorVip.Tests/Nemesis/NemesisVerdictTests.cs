using ActorVip.Lab.Demo;
using ActorVip.Lab.Nemesis;

namespace ActorVip.Tests.Nemesis;

public class NemesisVerdictTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static readonly PlannedFault Kill = new(0, TimeSpan.Zero, FaultKind.Kill9, [0], Ms(1000));
    private static readonly PlannedFault KillTwo = new(1, TimeSpan.Zero, FaultKind.Kill9, [0, 1], Ms(1000));
    private static readonly PlannedFault Freeze = new(2, TimeSpan.Zero, FaultKind.Freeze, [2], Ms(500));

    /// <summary>Replies every 10 ms over [0, end) except in the given gaps; probes every 20 ms answered by <paramref name="answers"/>.</summary>
    private static Observation Seen(double end, (double From, double To)[] gaps, (double At, string Mac)[]? answers = null)
    {
        var replies = new List<TimeSpan>();
        for (double t = 0; t < end; t += 10)
            if (!gaps.Any(g => t > g.From && t < g.To)) replies.Add(Ms(t));
        var probes = new List<TimeSpan>();
        for (double t = 0; t < end; t += 20) probes.Add(Ms(t));
        return new Observation(replies, probes, (answers ?? []).Select(a => new ArpAnswer(Ms(a.At), a.Mac)).ToList(), Ms(end), Ms(20));
    }

    private static FaultWindow Window(PlannedFault f, double at, double end, int nodes = 3) => new(f, Ms(at), Ms(end), "n1", f.NoMajorityCause(nodes));

    [Fact]
    public void Each_fault_gets_the_longest_silence_in_its_own_window()
    {
        var seen = Seen(30_000, [(1_000, 1_300), (12_000, 12_700), (15_000, 15_050)]);
        var (outcomes, verdict) = NemesisVerdict.Judge(seen, [Window(Kill, 990, 10_000), Window(Freeze, 11_990, 20_000)], NemesisVerdict.PromiseBound);
        Assert.Equal([Ms(300), Ms(700)], outcomes.Select(o => o.Outage));
        Assert.Equal(Ms(700), verdict.Max);
        Assert.Equal(Ms(700), verdict.P50);
        Assert.Empty(verdict.OverBound);
        Assert.True(verdict.Holds);
        Assert.Equal("verdict: HOLDS", verdict.Lines()[^1]);
    }

    [Fact]
    public void A_silence_of_a_second_or_more_after_a_majority_keeping_fault_breaks_the_verdict()
    {
        var seen = Seen(30_000, [(1_000, 2_000)]);
        var (_, verdict) = NemesisVerdict.Judge(seen, [Window(Kill, 995, 10_000)], NemesisVerdict.PromiseBound);
        Assert.Single(verdict.OverBound);
        Assert.False(verdict.Holds);
        Assert.Contains(verdict.Lines(), l => l.StartsWith("  over 1000 ms: #1 kill9-restart", StringComparison.Ordinal));
    }

    [Fact]
    public void A_long_silence_after_a_fault_that_took_the_majority_is_listed_with_its_cause_not_counted()
    {
        var seen = Seen(40_000, [(1_000, 2_000), (21_000, 31_000)]);
        var (outcomes, verdict) = NemesisVerdict.Judge(seen, [Window(Kill, 995, 10_000), Window(KillTwo, 20_995, 39_000)], TimeSpan.FromSeconds(2));
        Assert.Equal(Ms(10_000), outcomes[1].Outage);
        Assert.False(outcomes[1].Counted);
        Assert.Single(verdict.Counted);
        Assert.Empty(verdict.OverBound);
        Assert.True(verdict.Holds);
        Assert.Contains(verdict.Lines(), l => l.Contains("not counted: #2 kill9-restart", StringComparison.Ordinal)
            && l.EndsWith("2 of 3 voters killed: 1 connected, a majority needs 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_macs_answering_one_probe_breaks_the_verdict_whichever_fault_it_follows()
    {
        // Two MACs answer the probe of 21 s 000 ms, after the fault that took the majority (not counted for outages).
        var seen = Seen(40_000, [], [(21_001, "a"), (21_002, "b"), (21_021, "b")]);
        var (outcomes, verdict) = NemesisVerdict.Judge(seen, [Window(Kill, 995, 10_000), Window(KillTwo, 20_995, 39_000)], NemesisVerdict.PromiseBound);
        Assert.Single(verdict.Dual);
        Assert.Empty(outcomes[0].Dual);
        Assert.Single(outcomes[1].Dual);
        Assert.False(verdict.Holds);
        Assert.StartsWith("DUAL OWNERSHIP: 1 moments, 20 ms", verdict.Lines()[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_any_fault_does_not_hold()
    {
        var (_, verdict) = NemesisVerdict.Judge(Seen(5_000, []), [], NemesisVerdict.PromiseBound);
        Assert.False(verdict.Holds);
        Assert.Null(verdict.P50);
        Assert.Contains("no fault was done", verdict.Lines()[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_upper_middle_as_the_other_lab_commands_report_it()
    {
        var seen = Seen(40_000, [(1_000, 1_100), (11_000, 11_200), (21_000, 21_300), (31_000, 31_400)]);
        var windows = new[] { 995, 10_995, 20_995, 30_995 }.Select(at => Window(Kill, at, at + 9_000)).ToList();
        var (_, verdict) = NemesisVerdict.Judge(seen, windows, NemesisVerdict.PromiseBound);
        Assert.Equal(Ms(300), verdict.P50);
        Assert.Equal(Ms(400), verdict.Max);
    }
}
