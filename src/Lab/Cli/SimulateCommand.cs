using System.CommandLine;
using ActorVip.Lab.Simulation;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;

namespace ActorVip.Lab.Cli;

/// <summary>
/// `actorvip-lab simulate`: N real nodes in this process on recording drivers, a fault scenario, and the single-owner
/// check over the whole timeline. Users run it against their own timings (--config) before trusting them.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of voting nodes: 3 or 5", DefaultValueFactory = _ => 3 };
        var scenario = new Option<string>("--scenario")
        {
            Description = "Scenario to run, or all:\n" + string.Join("\n", Scenarios.All.Select(s => $"  {s.Name}: {s.Description}")),
            DefaultValueFactory = _ => "all",
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the random choices (random scenario, partition sides); printed, so a failure can be replayed"
        };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the random scenario", DefaultValueFactory = _ => 10 };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "HOCON file with your own timings (lease, failure detector, split-brain resolver), read over reference.conf"
        };
        var verbose = new Option<bool>("--verbose") { Description = "Print the whole timeline: every fence and address refresh, and the nodes' log lines" };
        var command = new Command("simulate", "Run N nodes in one process through a fault scenario and check that no two ever held the VIP at once");
        foreach (var option in new Option[] { nodes, scenario, seed, rounds, config, verbose })
            command.Options.Add(option);
        command.SetAction(result =>
        {
            var n = result.GetValue(nodes);
            if (n is not (3 or 5))
            {
                Console.Error.WriteLine($"actorvip-lab: --nodes {n}: the simulation runs 3 or 5 nodes (a majority needs at least 3 to survive a failure)");
                return ExitCodes.BadInput;
            }
            var name = result.GetValue(scenario) ?? "all";
            // "all" is every scenario this many nodes can run; the rack faults take two nodes and need five.
            var chosen = name == "all" ? Scenarios.All.Where(x => n >= x.MinNodes).ToList() : Scenarios.Find(name) is { } s ? [s] : null;
            if (chosen is null)
            {
                Console.Error.WriteLine($"actorvip-lab: --scenario '{name}' is not a scenario (expected all or one of " +
                    $"{string.Join(", ", Scenarios.All.Select(x => x.Name))})");
                return ExitCodes.BadInput;
            }
            if (chosen.FirstOrDefault(x => n < x.MinNodes) is { } needsMore)
            {
                Console.Error.WriteLine($"actorvip-lab: --scenario {needsMore.Name} needs --nodes {needsMore.MinNodes}: it takes two nodes, which leaves " +
                    $"no majority of {n}");
                return ExitCodes.BadInput;
            }
            var r = result.GetValue(rounds);
            if (r < 1)
            {
                Console.Error.WriteLine($"actorvip-lab: --rounds {r}: expected at least 1");
                return ExitCodes.BadInput;
            }
            var baseConfig = ConfigSources.Compose(result.GetValue(config)?.FullName, new Dictionary<string, string>(), new HoconOverrides());
            // Every value checked before a node starts: a bad one is one line and exit 2, as for actorvip run.
            SettingsReader.Read(baseConfig);
            var code = Run(chosen, n, result.GetValue(seed) ?? Random.Shared.Next(1, 1_000_000), r, baseConfig, result.GetValue(verbose));
            // Akka's transports would hold the exit up by seconds after the last system stopped.
            Console.Out.Flush();
            Console.Error.Flush();
            Tmds.Linux.LibC._exit(code);
            return code;
        });
        return command;
    }

    private static int Run(IReadOnlyList<Scenario> scenarios, int nodes, int seed, int rounds, Akka.Configuration.Config baseConfig, bool verbose)
    {
        var failovers = new List<double>();
        var failed = new List<string>();
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"== {scenario.Name} ({nodes} nodes, seed {seed}): {scenario.Description}");
            var result = ScenarioRunner.RunAsync(scenario, nodes, seed, baseConfig, rounds).GetAwaiter().GetResult();
            Console.WriteLine(result.TimelineText(verbose));
            Console.WriteLine(result.Summary());
            Console.WriteLine();
            failovers.AddRange(result.FailoverMs);
            if (!result.Passed) failed.Add(scenario.Name);
        }
        if (failovers.Count > 0)
        {
            var sorted = failovers.Order().ToList();
            Console.WriteLine($"failover: {sorted[sorted.Count / 2]:0} ms (p50), {sorted[^1]:0} ms (max) over {sorted.Count}");
        }
        if (failed.Count == 0)
        {
            Console.WriteLine("every scenario kept a single owner");
            return ExitCodes.Ok;
        }
        Console.WriteLine($"FAILED: {string.Join(", ", failed)}; replay with --nodes {nodes} --seed {seed} --scenario {failed[0]}");
        return ExitCodes.Failure;
    }
}
