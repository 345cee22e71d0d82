using System.Diagnostics;
using System.Net;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Ipvs.Rules;
using ActorVip.Node.Linux.Ipvs;

namespace ActorVip.Benchmarks;

/// <summary>
/// Applies a table of N services x M masquerade destinations to an empty IPVS table, then a change of a tenth of
/// the entries (every tenth service gets another scheduler and new weights), in one warm process, and prints the
/// times. Run it in a network namespace of its own (unshare -n), whose IPVS table starts empty.
/// With --rules FILE it first writes the full table in ipvsadm's rule format, for timing `ipvsadm -R` on the same table.
/// </summary>
public static class IpvsApplyBenchmark
{
    public static int Run(string[] args)
    {
        var services = Option(args, "--services", 1000);
        var destinations = Option(args, "--destinations", 8);
        var rules = args.SkipWhile(a => a != "--rules").Skip(1).FirstOrDefault();

        var full = Table(services, destinations, changed: false);
        var changed = Table(services, destinations, changed: true);
        if (rules is not null) File.WriteAllText(rules, IpvsRulesPrinter.Save(full));

        var owned = new IpvsOwnership([IPNetwork.Parse("192.0.2.0/24")]);
        using var client = IpvsClient.Open();
        if (client.List().Count != 0)
        {
            Console.Error.WriteLine("ipvs-apply: the IPVS table is not empty; run this in a fresh network namespace (unshare -n)");
            return 1;
        }

        // Warm the code paths once on a small table, so that the numbers measure the kernel and the batching, not the JIT.
        IpvsReconciler.Apply(client, Table(10, 2, changed: false), owned.Owns);
        IpvsReconciler.Apply(client, Table(10, 2, changed: true), owned.Owns);
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

        var listed = client.List();
        var entries = listed.Services.Sum(s => 1 + s.Destinations.Count);
        Console.WriteLine($"ipvs-apply services={services} destinations={destinations} entries={entries}");
        Console.WriteLine($"ipvs-apply full_ms={fullMs:0.0} full_changes={fullChanges.Count}");
        Console.WriteLine($"ipvs-apply change_ms={changeMs:0.0} change_changes={changeChanges.Count}");
        Console.WriteLine($"ipvs-apply noop_ms={noopMs:0.0} noop_changes={noChanges.Count}");
        Console.WriteLine($"ipvs-apply change_over_full={changeMs / fullMs:0.000}");
        return entries == services * (1 + destinations) && noChanges.Count == 0 ? 0 : 1;
    }

    /// <summary>Services 192.0.2.1-100 on ports 8000-8009, destinations 198.51.100.1-N on the service port.</summary>
    public static IpvsTable Table(int services, int destinations, bool changed) => new(
        Enumerable.Range(0, services).Select(i =>
        {
            var edited = changed && i % 10 == 0;
            var key = IpvsServiceKey.Tcp(new IPAddress([192, 0, 2, (byte)(1 + i / 10)]), (ushort)(8000 + i % 10));
            return new IpvsService(key, new IpvsServiceSettings(edited ? "wrr" : "rr"),
                Enumerable.Range(0, destinations)
                    .Select(d => new IpvsDestination(new IPAddress([198, 51, 100, (byte)(1 + d)]), key.Port, ForwardingMethod.Masquerade, edited ? 2 : 1))
                    .ToArray());
        }));

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
