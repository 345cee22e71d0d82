using System.Diagnostics;
using System.Net;
using ActorVip.Messages.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Ipvs.Rules;
using ActorVip.Node.Linux.Ipvs;

namespace ActorVip.Benchmarks;

/// <summary>
/// Applies a table of N services x M masquerade destinations to an empty IPVS table, then a change of a tenth of
/// the entries (every tenth service: a new persistence timeout, half its destinations reweighted, a quarter replaced),
/// then a no-op, then a scheduler change of every tenth service, in one warm process, and prints the times.
/// Run it in a network namespace of its own (unshare -n), whose IPVS table starts empty.
/// With --rules FILE it first writes the full table in ipvsadm's rule format, for timing `ipvsadm -R` on the same table.
/// </summary>
public static class IpvsApplyBenchmark
{
    public static int Run(string[] args)
    {
        var services = Option(args, "--services", 1000);
        var destinations = Option(args, "--destinations", 8);
        var rules = args.SkipWhile(a => a != "--rules").Skip(1).FirstOrDefault();

        var full = Table(services, destinations, Change.None);
        var changed = Table(services, destinations, Change.Entries);
        var rescheduled = Table(services, destinations, Change.Scheduler);
        if (rules is not null) File.WriteAllText(rules, IpvsRulesPrinter.Save(full));

        var owned = new IpvsOwnership([IPNetwork.Parse("192.0.2.0/24")]);
        using var client = IpvsClient.Open();
        if (client.List().Count != 0)
        {
            Console.Error.WriteLine("ipvs-apply: the IPVS table is not empty; run this in a fresh network namespace (unshare -n)");
            return 1;
        }

        // Warm the code paths once on a small table, so that the numbers measure the kernel and the batching, not the JIT.
        IpvsReconciler.Apply(client, Table(10, 8, Change.None), owned.Owns);
        IpvsReconciler.Apply(client, Table(10, 8, Change.Entries), owned.Owns);
        IpvsReconciler.Apply(client, Table(10, 8, Change.Scheduler), owned.Owns);
        IpvsReconciler.Apply(client, IpvsTable.Empty, owned.Owns);

        var watch = Stopwatch.StartNew();
        var fullChanges = IpvsReconciler.Apply(client, full, owned.Owns);
        var fullMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        var changeChanges = IpvsReconciler.Apply(client, changed, owned.Owns);
        var changeMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        var noChanges = IpvsReconciler.Apply(client, changed, owned.Owns);
        var noopMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        var listedNow = client.List();
        var listMs = watch.Elapsed.TotalMilliseconds;
        var plan = changed.ChangesFrom(listedNow, owned.Owns);
        var planMs = watch.Elapsed.TotalMilliseconds - listMs;

        watch.Restart();
        var schedulerChanges = IpvsReconciler.Apply(client, rescheduled, owned.Owns);
        var schedulerMs = watch.Elapsed.TotalMilliseconds;

        var listed = client.List();
        var entries = listed.Services.Sum(s => 1 + s.Destinations.Count);
        Console.WriteLine($"ipvs-apply services={services} destinations={destinations} entries={entries}");
        Console.WriteLine($"ipvs-apply full_ms={fullMs:0.0} full_changes={fullChanges.Count}");
        Console.WriteLine($"ipvs-apply change_ms={changeMs:0.0} change_changes={changeChanges.Count}");
        Console.WriteLine($"ipvs-apply noop_ms={noopMs:0.0} noop_changes={noChanges.Count}");
        Console.WriteLine($"ipvs-apply list_ms={listMs:0.0} plan_ms={planMs:0.0} plan_changes={plan.Count}");
        Console.WriteLine($"ipvs-apply scheduler_change_ms={schedulerMs:0.0} scheduler_changes={schedulerChanges.Count}");
        Console.WriteLine($"ipvs-apply change_over_full={changeMs / fullMs:0.000} change_without_listing_over_full={(changeMs - listMs) / fullMs:0.000}");
        return entries == services * (1 + destinations) && noChanges.Count == 0 && plan.Count == 0 ? 0 : 1;
    }

    public enum Change { None, Entries, Scheduler }

    /// <summary>
    /// Services 192.0.2.1-100 on ports 8000-8009, destinations 198.51.100.1-N on the service port. With
    /// <see cref="Change.Entries"/> every tenth service gets persistence, its first half of destinations weight 2, and its
    /// last quarter moved to 198.51.100.101 and up: one edit plus 8 destination changes, a tenth of all entries.
    /// With <see cref="Change.Scheduler"/> every tenth service gets scheduler wrr instead.
    /// </summary>
    public static IpvsTable Table(int services, int destinations, Change change) => new(
        Enumerable.Range(0, services).Select(i =>
        {
            var edited = i % 10 == 0 ? change : Change.None;
            var key = IpvsServiceKey.Tcp(new IPAddress([192, 0, 2, (byte)(1 + i / 10)]), (ushort)(8000 + i % 10));
            var settings = edited switch
            {
                Change.Entries => new IpvsServiceSettings("rr", Persistent: true, Timeout: 60),
                Change.Scheduler => new IpvsServiceSettings("wrr"),
                _ => new IpvsServiceSettings("rr"),
            };
            return new IpvsService(key, settings,
                Enumerable.Range(0, destinations)
                    .Select(d =>
                    {
                        var moved = edited == Change.Entries && d >= destinations - destinations / 4;
                        var weight = edited == Change.Entries && d < destinations / 2 ? 2 : 1;
                        return new IpvsDestination(new IPAddress([198, 51, 100, (byte)((moved ? 101 : 1) + d)]), key.Port, ForwardingMethod.Masquerade, weight);
                    })
                    .ToArray());
        }));

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
