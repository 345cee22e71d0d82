using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorVip.Lab.Demo;
using ActorVip.Lab.Nemesis;
using ActorVip.Node.Cli;

namespace ActorVip.Lab.Cli;

/// <summary>
/// `actorvip-lab nemesis`: the demo's network and client, and a seeded schedule of faults over the real nodes for a
/// given time; one line per fault and a verdict (no two owners ever; under 1 s after every fault that left a majority).
/// </summary>
public static class NemesisCommand
{
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinSettle = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes (3 or 5)", DefaultValueFactory = _ => 3 };
        var duration = new Option<string>("--duration") { Description = "How long to do faults, e.g. 120s or 10m", DefaultValueFactory = _ => "2m" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the fault schedule (same seed, nodes, duration and settle: same faults); printed" };
        var settle = new Option<string>("--settle")
        {
            Description = "Time between the end of one fault and the next, e.g. 5s",
            DefaultValueFactory = _ => "5s",
        };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Write every fault and dual-ownership moment to this file: JSON if it ends in .json, else TSV",
        };
        var logs = new Option<DirectoryInfo?>("--logs")
        {
            Description = "Copy every node's logs, every incarnation's, into this directory at the end (created if missing)",
        };
        var faults = new Option<string?>("--faults")
        {
            Description = $"Only these kinds of fault, comma-separated: {KindNames} (default: all)",
        };
        var nodeConfig = new Option<FileInfo?>("--node-config")
        {
            Description = "HOCON appended to every node's config file (akka.loglevel = DEBUG while chasing a fault, other timings)",
        };
        var command = new Command("nemesis",
            "Run real nodes in namespaces through a seeded schedule of partitions, one-way drops, kill -9, SIGSTOP and rolling restarts, "
            + "and judge what the client saw (root; needs iproute2)");
        foreach (var option in new Option[] { nodes, duration, seed, settle, faults, nodeConfig, output, logs }) command.Options.Add(option);
        command.SetAction(result =>
        {
            var n = result.GetValue(nodes);
            if (n is not (3 or 5)) return Bad($"--nodes: {n} is not supported (expected 3 or 5)");
            if (ParseDuration(result.GetValue(duration)) is not { } d || d < MinDuration || d > MaxDuration)
                return Bad($"--duration: '{result.GetValue(duration)}' is not a duration from 10s to 24h (e.g. 120s or 10m)");
            if (ParseDuration(result.GetValue(settle)) is not { } s || s < MinSettle || s > MaxSettle)
                return Bad($"--settle: '{result.GetValue(settle)}' is not a duration from 1s to 10m (e.g. 5s)");
            var file = result.GetValue(output);
            if (file is { Directory.Exists: false })
                return Bad($"--out: the folder of '{file.FullName}' does not exist; create it or name a file in an existing folder");
            var logsDirectory = result.GetValue(logs);
            if (logsDirectory is not null && File.Exists(logsDirectory.FullName))
                return Bad($"--logs: '{logsDirectory.FullName}' is a file; name a directory (it is created if missing)");
            var kinds = ParseKinds(result.GetValue(faults), out var unknown);
            if (unknown is not null)
                return Bad($"--faults: '{unknown}' is not a kind of fault (expected some of {KindNames})");
            var configFile = result.GetValue(nodeConfig);
            if (configFile is { Exists: false })
                return Bad($"--node-config: '{configFile.FullName}' does not exist; name a HOCON file every node should read");
            var options = new NemesisOptions(n, d, result.GetValue(seed) ?? Random.Shared.Next(1, 1_000_000), s, kinds,
                configFile is null ? "" : File.ReadAllText(configFile.FullName));
            return Run(options, file?.FullName, logsDirectory?.FullName);
        });
        return command;
    }

    private static string KindNames => string.Join(", ", FaultSchedule.AllKinds.Select(PlannedFault.KindName));

    /// <summary>
    /// The kinds named in a comma-separated list, in the schedule's order; null (every kind) when the list is absent.
    /// <paramref name="unknown"/> is the first name that is not a kind (an empty list names none).
    /// </summary>
    public static IReadOnlyList<FaultKind>? ParseKinds(string? text, out string? unknown)
    {
        unknown = null;
        if (text is null) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        unknown = names.FirstOrDefault(name => !FaultSchedule.AllKinds.Any(k => PlannedFault.KindName(k) == name));
        return unknown is null ? FaultSchedule.AllKinds.Where(k => names.Contains(PlannedFault.KindName(k))).ToList() : null;
    }

    /// <summary>"250ms", "90s", "10m", "1h" (a whole or decimal number and a unit); null when not one.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        var m = Regex.Match(text ?? "", @"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$");
        if (!m.Success) return null;
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromHours(value),
        };
    }

    private static int Bad(string message)
    {
        Console.Error.WriteLine($"actorvip-lab: nemesis: {message}");
        return ExitCodes.BadInput;
    }

    private static int Run(NemesisOptions options, string? outPath, string? logsPath)
    {
        if (!HostCommand.IsRoot)
        {
            Console.Error.WriteLine("actorvip-lab: nemesis: it creates network namespaces, which needs root; run it with sudo");
            return ExitCodes.Failure;
        }
        Say($"nemesis: {options.Nodes} nodes, seed {options.Seed}, faults for {options.Duration.TotalSeconds:0} s, "
            + $"settle {options.Settle.TotalSeconds:0.###} s (replay: {options.Replay})");
        NetworkLab? lab = null;
        try
        {
            lab = new NetworkLab("nem", cleanUpOnSignal: true);
            var topology = VipTopology.Build(lab, options.Nodes);
            Say($"network: bridge in {lab.Switch}; {string.Join(", ", topology.Nodes.Select(n => $"{n.Name} {n.Address} {n.Mac}"))}; VIP {VipTopology.Vip}");
            Say($"client: {VipTopology.ClientAddress}, pinging the VIP every 10 ms and asking who-has every 20 ms; times below are seconds on its clock");
            var runner = new NemesisRunner(topology, options, Say, lab.Interrupted)
            {
                OnFault = o => Console.WriteLine(NemesisReport.Line(o, options.Nodes)),
            };
            var result = runner.Run();
            if (result.Failure is not null || result.Verdict is null)
            {
                Console.WriteLine($"FAILED to start: {result.Failure}");
                Console.WriteLine(result.Logs);
                return ExitCodes.Failure;
            }
            foreach (var line in result.Verdict.Lines()) Console.WriteLine(line);
            if (outPath is not null)
            {
                NemesisReport.Write(outPath, options, result.Outcomes, result.Verdict);
                Say($"events written to {outPath}");
            }
            if (!result.Verdict.Holds) Console.WriteLine(result.Logs);
            return result.Verdict.Holds ? ExitCodes.Ok : ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("actorvip-lab: nemesis interrupted; deleting the network");
            return 130;
        }
        catch (Exception e)
        {
            // One line, no stack trace; the finally below still deletes the network and its processes.
            Console.Error.WriteLine($"actorvip-lab: nemesis: {Node.Program.OneLine(e.Message)}");
            return ExitCodes.Failure;
        }
        finally
        {
            // The nodes' logs are the only record of why a fault cost what it did; the lab deletes them with the network.
            if (lab is not null && logsPath is not null) CopyLogs(lab, logsPath);
            lab?.Dispose();
            Say("network deleted");
        }
    }

    private static void CopyLogs(NetworkLab lab, string directory)
    {
        try
        {
            lab.CopyLogsTo(directory);
            Say($"every node's logs copied to {directory}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"actorvip-lab: nemesis: --logs: could not copy the logs to '{directory}': {Node.Program.OneLine(e.Message)}");
        }
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");
}
