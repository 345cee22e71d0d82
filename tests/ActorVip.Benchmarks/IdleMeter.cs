using ActorVip.Lab.Demo;

namespace ActorVip.Benchmarks;

/// <summary>
/// One node's resident memory and CPU while idle, with two measures of its work that the machine's load does not move: context
/// switches a second (threads woken) and, when its /metrics answered, megabytes the runtime allocated a second.
/// </summary>
public sealed record NodeIdle(string Node, double RssMb, double CpuPercent, double SwitchesPerSecond = 0, double? AllocatedMbPerSecond = null);

/// <summary>RSS and CPU of idle nodes' processes, from /proc, after a warm-up; shared by the failover and many-VIP benchmarks.</summary>
public static class IdleMeter
{
    /// <summary>
    /// How long nodes run before their idle cost is measured. 30 s was too short: perf put a third of a node's CPU
    /// 30-45 s after start in the JIT (tiered re-compiles of methods that run about once a second reach their call
    /// counts then), 2 % of it 60-75 s after start, when the node used half the CPU.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(60);

    /// <param name="allocated">Reads a node's actorvip_runtime_allocated_bytes_total, or null when it cannot.</param>
    public static IReadOnlyList<NodeIdle> Measure(IReadOnlyDictionary<LabNode, LabProcess> processes, int seconds, CancellationToken cancel,
        Func<LabNode, double?>? allocated = null)
    {
        // Start-up work (tiered JIT re-compiles, cluster formation) is not idling; let it pass first.
        Console.WriteLine($"   warming up for {WarmUp.TotalSeconds:0} s, then measuring RSS and CPU of the idle nodes for {seconds} s");
        if (cancel.WaitHandle.WaitOne(WarmUp)) cancel.ThrowIfCancellationRequested();
        // The scrape first: a node's first /metrics request JIT-compiles its HTTP path, 0.3-0.5 % of a minute's CPU that was
        // counted as idling while the scrape came after the CPU reading. At the end the CPU is read before the scrape.
        var allocatedBefore = processes.ToDictionary(p => p.Key, p => allocated?.Invoke(p.Key));
        var before = processes.ToDictionary(
            p => p.Key, p => (Usage: p.Value.Usage(), Switches: p.Value.ContextSwitches(), Allocated: allocatedBefore[p.Key]));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) cancel.ThrowIfCancellationRequested();
        var elapsed = watch.Elapsed.TotalSeconds;
        const double ticksPerSecond = 100; // USER_HZ: what /proc/PID/stat counts in on Linux (sysconf(_SC_CLK_TCK))
        var idle = processes.Select(p =>
        {
            var after = p.Value.Usage();
            var was = before[p.Key];
            var switches = (p.Value.ContextSwitches() - was.Switches) / elapsed;
            var bytes = was.Allocated is { } start && allocated?.Invoke(p.Key) is { } end ? (end - start) / elapsed / (1024 * 1024) : (double?)null;
            return new NodeIdle(p.Key.Name, after.RssKb / 1024.0, 100.0 * (after.CpuTicks - was.Usage.CpuTicks) / ticksPerSecond / elapsed, switches, bytes);
        }).ToList();
        Console.WriteLine("   idle: " + string.Join(", ", idle.Select(i =>
            $"{i.Node} {i.CpuPercent:0.00} % {i.RssMb:0.0} MB {i.SwitchesPerSecond:0} switches/s " +
            $"{(i.AllocatedMbPerSecond is { } mb ? $"{mb:0.00} MB/s allocated" : "")}")));
        return idle;
    }
}

/// <summary>Reads a lab node's own metrics, inside its namespace, on the default metrics address.</summary>
public static class NodeMetricsScrape
{
    /// <summary>The value of an unlabelled series of the node's /metrics, or null when the node does not answer.</summary>
    public static double? Read(NetworkLab lab, LabNode node, string series)
    {
        var r = lab.Exec(node.Namespace, "curl", "-sf", "-m", "2", $"http://{ActorVipService.MetricsAddress}/metrics");
        if (r.ExitCode != 0) return null;
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static double? Allocated(NetworkLab lab, LabNode node) => Read(lab, node, "actorvip_runtime_allocated_bytes_total");
}
