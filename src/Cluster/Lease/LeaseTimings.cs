namespace ActorVip.Ownership;

/// <summary>
/// What the lease settings imply, as plain arithmetic: for documentation, `actorvip check` and benchmarks.
/// </summary>
public static class LeaseTimings
{
    /// <summary>
    /// Worst case from an owner's crash until a new owner may hold, network delays aside: the voters' promises
    /// run out lease-time + margin after the last renewal they received (which came before the crash), and the
    /// new owner, refused until then, asks again at most one renew-interval later.
    /// </summary>
    public static TimeSpan ExpectedCrashFailover(LeaseSettings s) => s.LeaseTime + s.Margin + s.RenewInterval;

    /// <summary>How long a started or restarted voter acks nobody: it cannot remember what it promised before.</summary>
    public static TimeSpan VoterQuietPeriod(LeaseSettings s) => s.PromiseTime;

    /// <summary>
    /// The largest relative clock rate difference ρ (0.01 = 1 %) the margin covers. The owner's lease, at most
    /// lease-time on a clock up to ρ slow, must end before a voter's promise of lease-time + margin on a clock up
    /// to ρ fast: L(1 + ρ) ≤ (L + M)(1 − ρ), so ρ ≤ M / (2L + M). Defaults (700 / 250 / 100 ms): 100 / 1500 ≈ 6.7 %.
    /// </summary>
    public static double MaxClockRateDrift(LeaseSettings s) =>
        s.Margin.TotalMilliseconds / (2 * s.LeaseTime.TotalMilliseconds + s.Margin.TotalMilliseconds);

    /// <summary>Renewals that may be lost in a row before a healthy owner's lease lapses (round trip ignored).</summary>
    public static int TolerableLostRenewals(LeaseSettings s) =>
        (int)((s.LeaseTime.Ticks - 1) / s.RenewInterval.Ticks) - 1;
}
