namespace ActorVip.Lab.Demo;

/// <summary>
/// One failover trial as the client saw it. Times are on the observer's clock; <see cref="FaultAt"/> is when the
/// fault was done. <see cref="Failure"/> says why the trial could not run (the service never served, a node died early).
/// </summary>
public sealed record TrialResult(
    string Service,
    FailoverScenario Scenario,
    LabNode? OldOwner,
    IReadOnlyList<LabNode> NewOwners,
    TimeSpan? StartToServing,
    TimeSpan FaultAt,
    Observation? Observation,
    string? Failure,
    IReadOnlyList<string> Timeline,
    string Logs)
{
    /// <summary>The client's longest silence from the fault to the end of the trial.</summary>
    public TimeSpan? Silence => Failure is null && Observation is { } o ? o.LongestSilence(FaultAt, o.End) : null;

    public IReadOnlyList<DualWindow> DualOwnership => Observation?.DualOwnership() ?? [];

    public TimeSpan DualOwnershipTime => Total(DualOwnership);

    /// <summary>Dual ownership from the fault on (what the scenario caused), apart from any during the start-up election.</summary>
    public TimeSpan DualOwnershipAfterFault => Total(DualOwnership.Where(w => w.To > FaultAt));

    public TimeSpan DualOwnershipBeforeFault => Total(DualOwnership.Where(w => w.To <= FaultAt));

    private static TimeSpan Total(IEnumerable<DualWindow> windows) => windows.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Length);

    /// <summary>From the fault to the first who-has answer from another node than the old owner; null when none answered.</summary>
    public TimeSpan? OtherNodeAnswers => OldOwner is { } old && Observation is { } o
        ? o.Answers.Where(a => a.At > FaultAt && !string.Equals(a.Mac, old.Mac, StringComparison.OrdinalIgnoreCase)).Select(a => (TimeSpan?)(a.At - FaultAt))
            .FirstOrDefault()
        : null;

    /// <summary>The VIP answered pings again after the fault and was still answering at the end.</summary>
    public bool Recovered => Failure is null && Observation is { } o && o.FirstReplyAfter(FaultAt) is not null
        && o.Replies.Count > 0 && o.Replies[^1] >= o.End - TimeSpan.FromMilliseconds(500);
}
