using System.Diagnostics;
using ActorVip.Ownership;

namespace ActorVip.Benchmarks;

/// <summary>
/// What one reading of the lease clock costs: the old one (Stopwatch, CLOCK_MONOTONIC), the one leases use now
/// (<see cref="MonotonicClock"/>, CLOCK_BOOTTIME, which counts a suspension of the host) and CLOCK_MONOTONIC read the same
/// way (the suspend detector reads both each time the actor loop wakes). Prints nanoseconds per reading, three rounds.
/// </summary>
public static class LeaseClockBenchmark
{
    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 20_000_000;
        Console.WriteLine($"lease-clock: CLOCK_BOOTTIME readable: {LinuxClocks.HasBootTime}; {n} readings per clock and round");
        Console.WriteLine("round  stopwatch-ns  boottime-ns  monotonic-ns");
        long sink = 0;
        for (var round = 1; round <= 3; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) sink += Stopwatch.GetElapsedTime(0).Ticks;
            var stopwatch = watch.Elapsed.TotalNanoseconds / n;
            watch.Restart();
            for (var i = 0; i < n; i++) sink += MonotonicClock.Instance.Now.Ticks;
            var boot = watch.Elapsed.TotalNanoseconds / n;
            watch.Restart();
            for (var i = 0; i < n; i++) sink += LinuxClocks.MonotonicTicks();
            var monotonic = watch.Elapsed.TotalNanoseconds / n;
            Console.WriteLine($"{round,5}  {stopwatch,12:0.0}  {boot,11:0.0}  {monotonic,12:0.0}");
        }
        return sink == 0 ? 1 : 0;
    }
}
