using System.CommandLine;
using System.Text;
using ActorVip.Lab.Demo;

namespace ActorVip.Benchmarks;

/// <summary>
/// `failover`: the demo's topology, N trials per scenario and per service (ActorVip, keepalived VRRPv2 advert_int 1,
/// VRRPv3 advert_int 0.1), each in a fresh lab; prints the client's longest silence (p50, max), the total time two
/// nodes answered who-has VIP, and per node RSS and CPU while idle and the time from start to serving.
/// </summary>
public static class FailoverBenchmark
{
    private sealed record Idle(string Service, string Node, double RssMb, double CpuPercent);

    public static Command Create()
    {
        var trials = new Option<int>("--trials") { Description = "Trials per scenario and service", DefaultValueFactory = _ => 5 };
        var nodes = new Option<int>("--nodes") { Description = "Nodes (3 or 5)", DefaultValueFactory = _ => 3 };
        var scenario = new Option<string>("--scenario")
        {
            Description = "crash | graceful | partition | kill9 | freeze | rack-crash | rack-partition (5 nodes) | one-way | " +
                "health (the owner's API server stopped; actorvip only) | all (the first five)",
            DefaultValueFactory = _ => "all"
        };
        var idleSeconds = new Option<int>("--idle-seconds")
        {
            Description = "How long to measure RSS and CPU of idle nodes (once per service)",
            DefaultValueFactory = _ => 60
        };
        var services = new Option<string>("--services")
        {
            Description = "Comma-separated: actorvip, keepalived-v2, keepalived-v3",
            DefaultValueFactory = _ => "actorvip,keepalived-v2,keepalived-v3"
        };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the tables as Markdown to this file" };
        var logs = new Option<DirectoryInfo?>("--logs") { Description = "Copy every trial's node logs into this directory" };
        var command = new Command("failover", "Failover of the VIP under crash, graceful stop, partition, kill -9 and freeze, beside keepalived");
        foreach (var o in new Option[] { trials, nodes, scenario, idleSeconds, services, markdown, logs }) command.Options.Add(o);
        command.SetAction(r =>
        {
            var scenarios = FailoverScenarios.Parse(r.GetValue(scenario)!);
            if (scenarios is null)
            {
                Console.Error.WriteLine($"actorvip-bench: --scenario: expected one of {FailoverScenarios.Names}");
                return 2;
            }
            var chosen = new List<IVipService>();
            foreach (var name in r.GetValue(services)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                IVipService? s = name switch
                {
                    "actorvip" => new ActorVipService(),
                    "keepalived-v2" => new KeepalivedService(2, "1"),
                    "keepalived-v3" => new KeepalivedService(3, "0.1"),
                    _ => null,
                };
                if (s is null)
                {
                    Console.Error.WriteLine($"actorvip-bench: --services: '{name}' is not one of actorvip, keepalived-v2, keepalived-v3");
                    return 2;
                }
                if (scenarios.Contains(FailoverScenario.Health) && s.WithHealthCheck(FailoverTrial.HealthCheck) is null)
                {
                    Console.Error.WriteLine($"actorvip-bench: --scenario health is not supported by {name} (no health check of the VIP); " +
                        "leave it out of --services");
                    return 2;
                }
                if (s is KeepalivedService && HostCommand.Run("sh", "-c", "command -v keepalived").ExitCode != 0)
                {
                    Console.Error.WriteLine("actorvip-bench: keepalived is not installed; apt-get install keepalived, or leave it out of --services");
                    return 1;
                }
                chosen.Add(s);
            }
            return Run(chosen, scenarios, r.GetValue(trials), r.GetValue(nodes), r.GetValue(idleSeconds), r.GetValue(markdown), r.GetValue(logs));
        });
        return command;
    }

    private static int Run(IReadOnlyList<IVipService> services, IReadOnlyList<FailoverScenario> scenarios, int trials, int nodes, int idleSeconds,
        FileInfo? markdown, DirectoryInfo? logs)
    {
        var results = new List<TrialResult>();
        var idle = new List<Idle>();
        foreach (var service in services)
        {
            var measuredIdle = false;
            foreach (var scenario in scenarios)
            {
                for (var t = 1; t <= trials; t++)
                {
                    using var lab = new NetworkLab("bench", cleanUpOnSignal: true);
                    Console.WriteLine($"== {service.Name} {scenario.Name()} trial {t}/{trials} ({lab.Prefix})");
                    var topology = VipTopology.Build(lab, nodes);
                    var measureNow = !measuredIdle && idleSeconds > 0;
                    var trial = new FailoverTrial(topology, service, line => Console.WriteLine($"   {line}"), lab.Interrupted)
                    {
                        WhileServing = measureNow
                            ? processes => idle.AddRange(IdleMeter.Measure(
                                processes, idleSeconds, lab.Interrupted, node => NodeMetricsScrape.Allocated(lab, node))
                                .Select(i => new Idle(service.Name, i.Node, i.RssMb, i.CpuPercent)))
                            : null,
                    };
                    TrialResult r;
                    try { r = trial.Run(scenario); }
                    catch (OperationCanceledException)
                    {
                        Console.Error.WriteLine("actorvip-bench: interrupted");
                        return 130;
                    }
                    finally
                    {
                        if (logs is not null) lab.CopyLogsTo(Path.Combine(logs.FullName, $"{lab.Prefix}-{service.Name}-{scenario.Name()}-{t}"));
                    }
                    measuredIdle |= measureNow && r.Failure is null;
                    results.Add(r);
                    foreach (var line in r.Timeline) Console.WriteLine($"   {line}");
                    Console.WriteLine(r.Failure is { } f
                        ? $"   FAILED: {f}\n{r.Logs}"
                        : scenario == FailoverScenario.Health
                        ? $"   stop -> another node answers {Ms(r.OtherNodeAnswers)} (bound {Ms(FailoverTrial.HealthCheck.Bound)}), silence " +
                            $"{r.Silence!.Value.TotalMilliseconds:0} ms, dual ownership {r.DualOwnershipAfterFault.TotalMilliseconds:0} ms after the fault, " +
                            $"VIP back: {(r.Recovered ? "yes" : "NO")}"
                        : $"   silence {r.Silence!.Value.TotalMilliseconds:0} ms, dual ownership {r.DualOwnershipAfterFault.TotalMilliseconds:0} ms after " +
                            $"the fault, {r.DualOwnershipBeforeFault.TotalMilliseconds:0} ms before, VIP back: {(r.Recovered ? "yes" : "NO")}");
                }
            }
        }
        var text = Tables(results, idle, services, scenarios, trials, nodes, idleSeconds);
        Console.WriteLine();
        Console.WriteLine(text);
        if (markdown is not null) File.WriteAllText(markdown.FullName, text);
        return 0;
    }

    private static string Tables(List<TrialResult> results, List<Idle> idle, IReadOnlyList<IVipService> services, IReadOnlyList<FailoverScenario> scenarios,
        int trials, int nodes, int idleSeconds)
    {
        var t = new StringBuilder();
        t.AppendLine($"Failover, {nodes} nodes, {trials} trial(s) per scenario; client pings every 10 ms and asks who-has every 20 ms.");
        t.AppendLine();
        t.AppendLine("| service | scenario | trials | longest silence p50 | max | dual ownership after the fault (total) | dual ownership at start-up " +
            "(total) | VIP back within 10 s |");
        t.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var service in services)
            foreach (var scenario in scenarios)
            {
                var rs = results.Where(r => r.Service == service.Name && r.Scenario == scenario).ToList();
                var ok = rs.Where(r => r.Failure is null).ToList();
                var silences = ok.Select(r => r.Silence!.Value).ToList();
                var dual = ok.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.DualOwnershipAfterFault);
                var startDual = ok.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.DualOwnershipBeforeFault);
                var back = ok.Count(r => r.Recovered && r.Silence < FailoverTrial.RecoveryBound);
                var failed = rs.Count - ok.Count;
                t.AppendLine($"| {service.Name} | {scenario.Name()} | {ok.Count}{(failed > 0 ? $" (+{failed} failed)" : "")} | " +
                    $"{Ms(Percentile.Of(silences, 50))} | {Ms(Percentile.Of(silences, 100))} | {Ms(dual)} | {Ms(startDual)} | {back}/{ok.Count} |");
            }
        if (scenarios.Contains(FailoverScenario.Health)) HealthTable(t, results);
        t.AppendLine();
        t.AppendLine($"| service | start to serving p50 | start to serving max | RSS per node (max) | CPU per idle node over {idleSeconds} s after " +
            $"{IdleMeter.WarmUp.TotalSeconds:0} s warm-up (max) |");
        t.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var service in services)
        {
            var starts = results.Where(r => r.Service == service.Name && r.StartToServing is not null).Select(r => r.StartToServing!.Value).ToList();
            var idles = idle.Where(i => i.Service == service.Name).ToList();
            var rss = idles.Count > 0 ? $"{idles.Max(i => i.RssMb):0.0} MB" : "-";
            var cpu = idles.Count > 0 ? $"{idles.Max(i => i.CpuPercent):0.00} %" : "-";
            t.AppendLine($"| {service.Name} | {Percentile.Of(starts, 50).TotalSeconds:0.0} s | " +
                $"{Percentile.Of(starts, 100).TotalSeconds:0.0} s | {rss} | {cpu} |");
        }
        return t.ToString();
    }

    /// <summary>The health scenario: from stopping the owner's API server to another node answering, beside the bound the issue sets.</summary>
    private static void HealthTable(StringBuilder t, List<TrialResult> results)
    {
        var check = FailoverTrial.HealthCheck;
        t.AppendLine();
        t.AppendLine($"Health: the owner's API server stopped; check {check.Hocon}; bound fall x interval + 150 ms = {Ms(check.Bound)}.");
        t.AppendLine();
        t.AppendLine("| service | trials | stop -> another node answers p50 | max | within the bound | longest silence p50 | max | " +
            "dual ownership after the fault (total) |");
        t.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var service in results.Where(r => r.Scenario == FailoverScenario.Health).GroupBy(r => r.Service))
        {
            var ok = service.Where(r => r.Failure is null).ToList();
            var moved = ok.Select(r => r.OtherNodeAnswers).OfType<TimeSpan>().ToList();
            var silences = ok.Select(r => r.Silence!.Value).ToList();
            var failed = service.Count() - ok.Count;
            t.AppendLine($"| {service.Key} | {ok.Count}{(failed > 0 ? $" (+{failed} failed)" : "")} | {Ms(Percentile.Of(moved, 50))} | " +
                $"{Ms(Percentile.Of(moved, 100))} | {moved.Count(m => m <= check.Bound)}/{ok.Count} | {Ms(Percentile.Of(silences, 50))} | " +
                $"{Ms(Percentile.Of(silences, 100))} | {Ms(ok.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.DualOwnershipAfterFault))} |");
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";

    private static string Ms(TimeSpan? t) => t is { } v ? Ms(v) : "none";
}
