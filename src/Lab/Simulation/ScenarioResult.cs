using System.Text;

namespace ActorVip.Lab.Simulation;

/// <summary>The outcome of one scenario run: the whole timeline, what the checker found, and what else went wrong.</summary>
public sealed record ScenarioResult(
    string Scenario,
    int Nodes,
    int Seed,
    bool ReachedFault,
    IReadOnlyList<string> Problems,
    OwnershipReport Report,
    IReadOnlyList<TimelineEvent> Events)
{
    /// <summary>Passed: the fault point was reached, nothing went wrong, and never two owners.</summary>
    public bool Passed => ReachedFault && Problems.Count == 0 && Report.SingleOwner;

    /// <summary>Every measured failover (fault to the acquire by another node), in milliseconds.</summary>
    public IReadOnlyList<double> FailoverMs => Report.Failovers.Where(f => f.IsHandover).Select(f => f.Time!.Value.TotalMilliseconds).ToList();

    public string Summary()
    {
        var b = new StringBuilder();
        b.AppendLine($"scenario {Scenario}, {Nodes} nodes, seed {Seed}: {(Passed ? "PASSED" : "FAILED")}");
        if (!ReachedFault) b.AppendLine("  the scenario never reached its fault point");
        foreach (var p in Problems) b.AppendLine("  problem: " + p);
        b.AppendLine(Report.Describe());
        foreach (var hold in Report.Holds) b.AppendLine("  " + hold);
        var failovers = FailoverMs;
        b.Append(failovers.Count == 0 ? "failover: none measured" : $"failover: {string.Join(", ", failovers.Select(ms => $"{ms:0} ms"))}");
        return b.ToString();
    }

    /// <summary>The timeline; <paramref name="full"/>: with every refresh and the nodes' log lines, else the changes only.</summary>
    public string TimelineText(bool full) => full ? Timeline.Format(Events, withLogs: true) : Timeline.Format(Timeline.Condense(Events), withLogs: false);
}
