using System.Diagnostics;
using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Ipvs.Rules;
using ActorVip.Node.Linux.GenericNetlink;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Benchmarks;

/// <summary>
/// Applies a table of N services x M masquerade destinations to an empty IPVS table, then a change of a tenth of
/// the entries (every tenth service: a new persistence timeout, half its destinations reweighted, a quarter replaced),
/// both reading the kernel's table first (as the CLI does) and from the table applied last (as the IpvsActor does),
/// in three rounds; then the phases of the change apart, a no-op, and a scheduler change of every tenth service, in
/// one warm process, and prints the times.
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

        // The full apply, once: the kernel keeps deleted destinations in a trash list for minutes and scans it linearly
        // on every add (ip_vs_trash_get_dest), so a second full apply after a flush would measure that scan.
        var fullChanges = 0;
        var fullMs = Time(() => fullChanges = IpvsReconciler.Apply(client, full, owned.Owns).Count);

        // Three rounds: the 10% change there and back as `actorvip ipvs apply` (a fresh process) makes it, reading the
        // kernel's table first; the same from the table this process applied last, as the long-running IpvsActor makes
        // it; a read of the table, decoded and not. The machine is shared: the median of the rounds is reported.
        var rounds = new List<Round>();
        var changeChanges = 0;
        for (var r = 0; r < 3; r++)
        {
            var reread = Median(
                Time(() => changeChanges = IpvsReconciler.Apply(client, changed, owned.Owns).Count),
                Time(() => IpvsReconciler.Apply(client, full, owned.Owns)));
            var known = Median(
                Time(() => IpvsReconciler.Apply(client, changed, owned.Owns, full)),
                Time(() => IpvsReconciler.Apply(client, full, owned.Owns, changed)));
            var servicesMs = Time(() => client.ListServices());
            var readMs = Time(() => client.List());
            var (undecodedServicesMs, undecodedDestinationsMs) = UndecodedDumps(client.ListServices().Select(s => s.Key).ToList());
            rounds.Add(new Round(reread, known, readMs, servicesMs, undecodedServicesMs, undecodedDestinationsMs));
        }

        // Once, from the full table: the diff and each kind of edit of the change apart (in plan order: service edits,
        // destination edits and adds, removals); a netlink round trip; a no-op; a scheduler change of every tenth service.
        var listed = client.List();
        IReadOnlyList<IpvsOperation> plan = [];
        var planMs = Time(() => plan = changed.ChangesFrom(listed, owned.Owns));
        var kinds = plan.GroupBy(c => c.GetType().Name).Select(k => (Kind: k.Key, Count: k.Count(), Ms: Time(() => client.Execute(k.ToList())))).ToList();
        var roundTripMs = Time(() => { for (var i = 0; i < 1000; i++) client.GetInfo(); }) / 1000;
        IReadOnlyList<IpvsOperation> noChanges = [], schedulerChanges = [];
        var noopMs = Time(() => noChanges = IpvsReconciler.Apply(client, changed, owned.Owns));
        var schedulerMs = Time(() => schedulerChanges = IpvsReconciler.Apply(client, rescheduled, owned.Owns));

        var final = client.List();
        var entries = final.Services.Sum(s => 1 + s.Destinations.Count);
        string Rounds(Func<Round, double> f) => string.Join("/", rounds.Select(r => $"{f(r):0}"));
        double MedianOf(Func<Round, double> f) => Median([.. rounds.Select(f)]);
        Console.WriteLine($"ipvs-apply services={services} destinations={destinations} entries={entries} rounds={rounds.Count} (a value in rounds: " +
            "the median, then each round)");
        Console.WriteLine($"ipvs-apply full_ms={fullMs:0.0} full_changes={fullChanges}");
        Console.WriteLine($"ipvs-apply change_reread_ms={MedianOf(r => r.RereadMs):0.0} ({Rounds(r => r.RereadMs)}) changes={changeChanges}");
        Console.WriteLine($"ipvs-apply change_known_ms={MedianOf(r => r.KnownMs):0.0} ({Rounds(r => r.KnownMs)})");
        Console.WriteLine($"ipvs-apply read_ms={MedianOf(r => r.ReadMs):0.0} ({Rounds(r => r.ReadMs)}) " +
            $"read_services_ms={MedianOf(r => r.ServicesMs):0.0} dumps={full.Count + 1}");
        Console.WriteLine($"ipvs-apply undecoded_services_ms={MedianOf(r => r.UndecodedServicesMs):0.0} " +
            $"undecoded_destinations_ms={MedianOf(r => r.UndecodedDestinationsMs):0.0} ({Rounds(r => r.UndecodedDestinationsMs)})");
        Console.WriteLine($"ipvs-apply plan_ms={planMs:0.0} plan_changes={plan.Count}");
        foreach (var (kind, count, ms) in kinds)
            Console.WriteLine($"ipvs-apply edit kind={kind} count={count} ms={ms:0.0} us_each={ms * 1000 / count:0}");
        Console.WriteLine($"ipvs-apply roundtrip_us={roundTripMs * 1000:0}");
        Console.WriteLine($"ipvs-apply noop_ms={noopMs:0.0} noop_changes={noChanges.Count}");
        Console.WriteLine($"ipvs-apply scheduler_change_ms={schedulerMs:0.0} scheduler_changes={schedulerChanges.Count}");
        Console.WriteLine($"ipvs-apply change_reread_over_full={MedianOf(r => r.RereadMs) / fullMs:0.000} " +
            $"change_known_over_full={MedianOf(r => r.KnownMs) / fullMs:0.000} read_over_full={MedianOf(r => r.ReadMs) / fullMs:0.000}");
        return entries == services * (1 + destinations) && noChanges.Count == 0 && plan.Count == changeChanges && fullChanges == entries ? 0 : 1;
    }

    private sealed record Round(double RereadMs, double KnownMs, double ReadMs, double ServicesMs, double UndecodedServicesMs, double UndecodedDestinationsMs);

    private static double Median(params double[] values)
    {
        Array.Sort(values);
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary>The same dumps on a socket of their own, only counting the replies: the kernel's and the syscalls' share of a read.</summary>
    private static (double ServicesMs, double DestinationsMs) UndecodedDumps(IReadOnlyList<IpvsServiceKey> keys)
    {
        using var socket = NetlinkSocket.Open(Nl.Generic);
        var family = GenericNetlinkController.Resolve(socket, IpvsNl.FamilyName)!.Id;
        var writer = new NetlinkWriter(1 << 16);
        var messages = 0;
        var servicesMs = Time(() =>
        {
            writer.Reset();
            IpvsRequest.DumpServices(writer, family, socket.NextSeq());
            socket.Execute(writer, "dump", (in NetlinkMessage _) => messages++);
        });
        var destinationsMs = Time(() =>
        {
            foreach (var key in keys)
            {
                writer.Reset();
                IpvsRequest.DumpDestinations(writer, family, socket.NextSeq(), key);
                socket.Execute(writer, "dump", (in NetlinkMessage _) => messages++);
            }
        });
        return (servicesMs, destinationsMs);
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
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
