using Akka.Configuration;

namespace ActorVip.Lab.Simulation;

/// <summary>Runs one scenario on a fresh simulated cluster and checks the single-owner invariant over its whole timeline.</summary>
public static class ScenarioRunner
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(45);

    public static async Task<ScenarioResult> RunAsync(Scenario scenario, int nodes, int seed, Config baseConfig, int rounds = 5, TimeSpan? bound = null)
    {
        var timeline = new Timeline();
        var problems = new List<string>();
        var limit = bound ?? DefaultBound;
        SimulatedCluster? cluster = null;
        ScenarioContext? context = null;
        try
        {
            cluster = await SimulatedCluster.StartAsync(nodes, baseConfig, timeline, limit);
            context = new ScenarioContext(cluster, seed, rounds, limit);
            await scenario.Run(context);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            problems.Add(e.Message);
        }
        catch (Exception e)
        {
            problems.Add($"{e.GetType().Name}: {e.Message}");
        }
        var horizon = timeline.Now;
        var events = timeline.Events;
        if (cluster is not null) await cluster.DisposeAsync();
        var report = SingleOwnerChecker.Check(events, horizon);
        foreach (var (node, from, until) in context?.MustNotBlink ?? [])
        {
            var hold = report.Holds.FirstOrDefault(h => h.Node == node && h.Contains(from));
            var kept = hold is not null && (until is { } u ? hold.End >= u : hold.Ongoing);
            if (!kept)
                problems.Add($"the VIP blinked: {node} held it at {from.TotalMilliseconds:0}ms but " +
                    (hold is null ? "not continuously" : $"lost it at {hold.End.TotalMilliseconds:0}ms") +
                    $" (it had to keep it until {(until is { } t ? $"{t.TotalMilliseconds:0}ms" : "the end")}), although it was never the node at fault");
        }
        foreach (var (node, at, maxGap) in context?.Handovers ?? [])
        {
            var hold = report.Holds.FirstOrDefault(h => h.Node == node && h.Contains(at));
            var next = hold is null ? null : report.Holds.Where(h => h.Node != node && h.Start >= hold.End).MinBy(h => h.Start);
            if (hold is null || hold.Ongoing || next is null || next.Start - hold.End > maxGap)
            {
                problems.Add($"no handover in time: {node} held the VIP at {at.TotalMilliseconds:0}ms and another node had to hold it " +
                    $"within {maxGap.TotalMilliseconds:0}ms of darkness; " +
                    (hold is null ? "it did not hold it then" : hold.Ongoing ? "it kept it" : next is null ? "nobody took it"
                        : $"{next.Node} took it {(next.Start - hold.End).TotalMilliseconds:0}ms after"));
            }
        }
        return new ScenarioResult(scenario.Name, nodes, seed, context?.ReachedFault ?? false, problems, report, events);
    }
}
