using ActorVip.Lab.Simulation;
using ActorVip.Node.Configuration;
using Xunit.Abstractions;

namespace ActorVip.Tests.Simulation;

/// <summary>One collection: the scenarios run one after the other, so that 5 real nodes do not starve each other of the 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SimulationCollection
{
    public const string Name = "simulation";
}

/// <summary>
/// TESTING.md level 3: N real nodes (Akka cluster, remoting through the throttler) on recording drivers, each scenario
/// checked for the single-owner invariant over its whole timeline and for a VIP held again at the end. No timing asserts;
/// the failover times are printed.
/// </summary>
[Collection(SimulationCollection.Name)]
public sealed class SimulationTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var nodes in new[] { 3, 5 })
        {
            foreach (var scenario in Scenarios.All.Where(s => s.Name != "random" && nodes >= s.MinNodes))
                data.Add(scenario.Name, nodes);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Scenario_keeps_a_single_owner_and_the_vip_comes_back(string name, int nodes)
    {
        var result = await Run(name, nodes, seed: 1, rounds: 1);
        AssertPassed(result);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(5, 2)]
    public async Task Random_fault_schedule_keeps_a_single_owner(int nodes, int rounds)
    {
        // A new schedule every run; ACTORVIP_SIM_SEED replays one.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ACTORVIP_SIM_SEED"), out var s) ? s : Random.Shared.Next(1, 1_000_000);
        var result = await Run("random", nodes, seed, rounds);
        AssertPassed(result);
    }

    private async Task<ScenarioResult> Run(string name, int nodes, int seed, int rounds)
    {
        var scenario = Scenarios.Find(name) ?? throw new ArgumentException($"no scenario {name}");
        var result = await ScenarioRunner.RunAsync(scenario, nodes, seed, ConfigSources.Reference(), rounds);
        // The whole timeline (every refresh, the nodes' log lines) when it failed: that is what explains it.
        output.WriteLine(result.TimelineText(full: !result.Passed));
        output.WriteLine(result.Summary());
        return result;
    }

    private static void AssertPassed(ScenarioResult result)
    {
        var replay = $"replay: actorvip-lab simulate --nodes {result.Nodes} --scenario {result.Scenario} --seed {result.Seed}";
        Assert.True(result.ReachedFault, $"{result.Scenario} never reached its fault point: {string.Join("; ", result.Problems)}; {replay}");
        Assert.True(result.Report.SingleOwner, $"two owners at once in {result.Scenario}, seed {result.Seed}:\n{result.Report.Describe()}\n{replay}");
        Assert.True(result.Problems.Count == 0, $"{result.Scenario}, seed {result.Seed}: {string.Join("; ", result.Problems)}\n{replay}");
        Assert.Contains(result.Report.Holds, h => h.Ongoing);
    }
}
