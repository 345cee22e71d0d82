using System.Diagnostics;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Benchmarks;

/// <summary>
/// Reconcile latency: from a health change (one backend's weight flips) or a membership change (a backend joins,
/// then leaves) to the kernel table updated, for 3, 50 and 500 backends. Each step is exactly what the IpvsActor does
/// on that message: the desired table (LoadBalancerTable.Desired), the diff from the last-applied table, and
/// KernelIpvs.Execute; the compute part and the kernel part are printed apart, and one full table read for scale.
/// Without IPVS (this host) it prints the compute part only. Run it where the IPVS table has no 192.0.2.200:80.
/// </summary>
public static class ReconcileLatencyBenchmark
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.200");
    private const int Rounds = 30;

    public static int Run(string[] args)
    {
        var lb = new LoadBalancerSettings(true, 80, 80, ForwardingMethod.Masquerade, "rr", []);
        KernelIpvs? kernel = new KernelIpvs();
        try
        {
            kernel.List();
        }
        catch (IpvsException e)
        {
            Console.WriteLine($"lb-reconcile: no IPVS here ({e.Message}); compute part only");
            kernel.Dispose();
            kernel = null;
        }
        Console.WriteLine("backends  change        compute-median-us  kernel-median-ms  kernel-p90-ms  total-median-ms  ops");
        foreach (var n in args.Length > 0 ? args.Select(int.Parse) : [3, 50, 500])
            Measure(n, lb, kernel);
        kernel?.Dispose();
        return 0;
    }

    private static void Measure(int n, LoadBalancerSettings lb, IIpvsDriver? kernel)
    {
        var backends = Enumerable.Range(0, n).Select(Backend).ToList();
        var unhealthy = new HashSet<Backend>();
        bool Owned(IpvsServiceKey k) => Vip.Equals(k.Address);
        var applied = kernel?.List().Where(Owned) ?? IpvsTable.Empty;
        IpvsTable Step(List<Backend> current, List<(double ComputeUs, double KernelMs, int Ops)> samples)
        {
            var t0 = Stopwatch.GetTimestamp();
            var desired = LoadBalancerTable.Desired(Vip, lb, current, b => !unhealthy.Contains(b));
            var ops = desired.ChangesFrom(applied, Owned);
            var t1 = Stopwatch.GetTimestamp();
            kernel?.Execute(ops);
            var t2 = Stopwatch.GetTimestamp();
            samples.Add((Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds, Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds, ops.Count));
            return desired;
        }

        applied = Step(backends, []); // the service with n destinations, as at acquire
        var health = new List<(double, double, int)>();
        var join = new List<(double, double, int)>();
        var leave = new List<(double, double, int)>();
        for (var round = 0; round < Rounds; round++)
        {
            var victim = backends[round % n];
            unhealthy.Add(victim);
            applied = Step(backends, health);
            unhealthy.Remove(victim);
            applied = Step(backends, health);
            var joined = new List<Backend>(backends) { Backend(n + round) };
            applied = Step(joined, join);
            applied = Step(backends, leave);
        }
        var readMs = double.NaN;
        if (kernel is not null)
        {
            var t = Stopwatch.GetTimestamp();
            kernel.List();
            readMs = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            kernel.Execute([new DeleteService(LoadBalancerTable.ServiceOf(Vip, lb))]);
        }
        Print(n, "health-flip", health);
        Print(n, "member-join", join);
        Print(n, "member-leave", leave);
        Console.WriteLine($"{n,8}  full-read     {"",17}  {readMs,16:F2}  (one List() of the whole table, what a re-read per change would cost)");
    }

    private static void Print(int n, string change, List<(double ComputeUs, double KernelMs, int Ops)> samples)
    {
        static double Quantile(IEnumerable<double> values, double q)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
        }
        var total = samples.Select(s => s.ComputeUs / 1000 + s.KernelMs);
        Console.WriteLine($"{n,8}  {change,-12}  {Quantile(samples.Select(s => s.ComputeUs), 0.5),17:F1}  " +
            $"{Quantile(samples.Select(s => s.KernelMs), 0.5),16:F3}  {Quantile(samples.Select(s => s.KernelMs), 0.9),13:F3}  {Quantile(total, 0.5),15:F3}  " +
            $"{samples.Max(s => s.Ops)}");
    }

    // 203.0.113.2-251, then the next port: up to thousands of distinct destinations inside TEST-NET-3.
    private static Backend Backend(int i) => new(new IPAddress([203, 0, 113, (byte)(2 + i % 250)]), (ushort)(8000 + i / 250));
}
