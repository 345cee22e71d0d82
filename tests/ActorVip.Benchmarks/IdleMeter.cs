using ActorVip.Lab.Demo;

namespace ActorVip.Benchmarks;

/// <summary>One node's resident memory and CPU while idle.</summary>
public sealed record NodeIdle(string Node, double RssMb, double CpuPercent);

/// <summary>RSS and CPU of idle nodes' processes, from /proc, after a warm-up; shared by the failover and many-VIP benchmarks.</summary>
public static class IdleMeter
{
    /// <summary>
    /// How long nodes run before their idle cost is measured. 30 s was too short: perf put a third of a node's CPU
    /// 30-45 s after start in the JIT (tiered re-compiles of methods that run about once a second reach their call
    /// counts then), 2 % of it 60-75 s after start, when the node used half the CPU.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<NodeIdle> Measure(IReadOnlyDictionary<LabNode, LabProcess> processes, int seconds, CancellationToken cancel)
    {
        // Start-up work (tiered JIT re-compiles, cluster formation) is not idling; let it pass first.
        Console.WriteLine($"   warming up for {WarmUp.TotalSeconds:0} s, then measuring RSS and CPU of the idle nodes for {seconds} s");
        if (cancel.WaitHandle.WaitOne(WarmUp)) cancel.ThrowIfCancellationRequested();
        var before = processes.ToDictionary(p => p.Key, p => p.Value.Usage());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) cancel.ThrowIfCancellationRequested();
        var elapsed = watch.Elapsed.TotalSeconds;
        const double ticksPerSecond = 100; // USER_HZ: what /proc/PID/stat counts in on Linux (sysconf(_SC_CLK_TCK))
        var idle = processes.Select(p =>
        {
            var after = p.Value.Usage();
            return new NodeIdle(p.Key.Name, after.RssKb / 1024.0, 100.0 * (after.CpuTicks - before[p.Key].CpuTicks) / ticksPerSecond / elapsed);
        }).ToList();
        Console.WriteLine("   idle: " + string.Join(", ", idle.Select(i => $"{i.Node} {i.CpuPercent:0.00} % {i.RssMb:0.0} MB")));
        return idle;
    }
}
