using System.Diagnostics;
using System.Net;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>
/// The VIPs of a many-VIP lab. TEST-NET-1, -2 and -3 together hold fewer than 768 host addresses and the lab's own
/// hosts sit in TEST-NET-1, so they come from 198.18.0.0/15 (RFC 2544's benchmarking range, routed nowhere either):
/// 198.18.0.1-250, 198.18.1.1-250, ... Each is a /32 on the node's eth0; Linux answers ARP for any address of its own
/// (arp_ignore 0), also off the interface's 192.0.2.0/24, and the client's sweep needs no route to them.
/// </summary>
public static class ManyVipAddresses
{
    public const int Max = 10_000;

    public static IReadOnlyList<IPAddress> Make(int count)
    {
        if (count is < 1 or > Max) throw new ArgumentOutOfRangeException(nameof(count), $"between 1 and {Max} VIPs");
        return Enumerable.Range(0, count).Select(i => new IPAddress([198, 18, (byte)(i / 250), (byte)(i % 250 + 1)])).ToList();
    }

    /// <summary>A node's config file naming every VIP (`actorvip.addresses`).</summary>
    public static string Config(IEnumerable<IPAddress> vips) =>
        "actorvip {\n  addresses = [\n" + string.Join(",\n", vips.Select(v => $"    \"{v}\"")) + "\n  ]\n}\n";
}

/// <summary>
/// One many-VIP trial as the client saw it, on the sweep's clock. <see cref="Failovers"/> holds, per VIP the faulted node
/// held, the time from the fault to the first answer by another MAC; <see cref="Failure"/> says why a trial did not reach its fault.
/// </summary>
public sealed record ManyVipsResult(
    FailoverScenario Scenario,
    int Nodes,
    int Vips,
    TimeSpan? StartToFirst,
    TimeSpan? StartToAll,
    IReadOnlyDictionary<string, int> HeldBeforeFault,
    LabNode? Victim,
    int VictimVips,
    IReadOnlyList<TimeSpan> Failovers,
    TimeSpan VictimLongestSilence,
    TimeSpan OthersLongestSilence,
    IReadOnlyList<SweepDual> Duals,
    TimeSpan FaultAt,
    int HeldByOneAtEnd,
    TimeSpan? StopTook,
    double SweepsPerSecond,
    string? Failure,
    IReadOnlyList<string> Timeline,
    string Logs)
{
    /// <summary>The faulted node's VIPs that no other node answered for within the trial's bound.</summary>
    public int NotBack => VictimVips - Failovers.Count;

    public IReadOnlyList<SweepDual> DualsBeforeFault => Duals.Where(d => d.To <= FaultAt).ToList();

    public IReadOnlyList<SweepDual> DualsAfterFault => Duals.Where(d => d.To > FaultAt).ToList();
}

/// <summary>
/// Many VIPs on real `actorvip run` processes: start every node with one config file naming all VIPs, sweep who-has for
/// every VIP from the client until each is answered by exactly one MAC, let a caller measure the idle nodes, then crash
/// (cable cut, SIGKILL) or stop (SIGTERM) the node holding the most VIPs and time, per VIP it held, how long until
/// another node answers; dual ownership is looked for on every VIP in every sweep, from the start to the end.
/// </summary>
public sealed class ManyVipsTrial
{
    private static readonly TimeSpan ServingBound = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(3);

    private readonly VipTopology _topology;
    private readonly IReadOnlyList<IPAddress> _vips;
    private readonly Action<string> _progress;
    private readonly CancellationToken _cancel;
    private readonly List<(TimeSpan At, string What)> _timeline = new();

    public ManyVipsTrial(VipTopology topology, IReadOnlyList<IPAddress> vips, Action<string> progress, CancellationToken cancel)
    {
        _topology = topology;
        _vips = vips;
        _progress = progress;
        _cancel = cancel;
    }

    /// <summary>Time between two sweeps over all VIPs; what a failover time is accurate to.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the cluster runs with every VIP held before the fault (or before <see cref="WhileServing"/>).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a faulted node's VIPs may take to be answered by another node before they count as not back.</summary>
    public TimeSpan RecoveryBound { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>HOCON appended to every node's config file after the VIPs (say akka.loglevel = DEBUG, or other timings).</summary>
    public string NodeConfig { get; init; } = "";

    /// <summary>Called once every VIP is held by one node and settled, before the fault, e.g. to measure the idle nodes.</summary>
    public Action<IReadOnlyDictionary<LabNode, LabProcess>, ArpSweep>? WhileServing { get; init; }

    public ManyVipsResult Run(FailoverScenario scenario)
    {
        if (scenario is not (FailoverScenario.Crash or FailoverScenario.Graceful))
            throw new ArgumentException($"many VIPs: crash or graceful, not {scenario.Name()}", nameof(scenario));
        var lab = _topology.Lab;
        var config = Path.Combine(lab.TempDirectory, "many-vips.conf");
        File.WriteAllText(config, ManyVipAddresses.Config(_vips) + NodeConfig);
        var index = int.Parse(lab.Exec(_topology.Client, "cat", "/sys/class/net/eth0/ifindex").ThrowIfFailed("reading the client's ifindex").Stdout.Trim());
        var clientMac = Convert.FromHexString(lab.Mac(_topology.Client).Replace(":", ""));
        using var sweep = new ArpSweep(_topology.Client, index, clientMac, VipTopology.ProbeSender, _vips, Stopwatch.StartNew(), SweepInterval);
        var service = new ActorVipService(config: config);
        var started = sweep.Now;
        var processes = _topology.Nodes.ToDictionary(n => n, n => service.Start(_topology, n));
        _progress($"started {_topology.Nodes.Count} nodes with {_vips.Count} VIPs each in {config}: " +
            string.Join(", ", processes.Select(p => $"{p.Key.Name} (pid {p.Value.Pid})")));

        TimeSpan? startToFirst = null, startToAll = null;
        var held = new Dictionary<string, int>();
        ManyVipsResult Result(TimeSpan faultAt, string failure) => new(scenario, _topology.Nodes.Count, _vips.Count, startToFirst, startToAll, held, null, 0,
            [], TimeSpan.Zero, TimeSpan.Zero, sweep.Duals(), faultAt, 0, null, Rate(sweep), failure, Timeline(started), FailoverTrial.Logs(processes));

        // 1. Every VIP answered by someone, then by exactly one MAC each.
        var deadline = started + ServingBound;
        while (sweep.FirstAnswers.Any(f => f is null))
        {
            Wait(TimeSpan.FromMilliseconds(50));
            if (Exited(processes) is { } dead) return Result(sweep.Now, dead);
            if (sweep.Now > deadline)
                return Result(sweep.Now, $"{sweep.FirstAnswers.Count(f => f is null)} of {_vips.Count} VIPs never answered within " +
                    $"{ServingBound.TotalSeconds:0} s of starting the nodes");
        }
        var firsts = sweep.FirstAnswers.Select(f => f!.Value).ToList();
        startToFirst = firsts.Min() - started;
        startToAll = firsts.Max() - started;
        Note(firsts.Min(), "the first VIP answers who-has");
        Note(firsts.Max(), "every VIP has answered who-has");
        _progress($"first VIP answered after {startToFirst.Value.TotalSeconds:0.0} s, all {_vips.Count} after {startToAll.Value.TotalSeconds:0.0} s");
        if (WaitHeldByOne(sweep, processes) is { } notSteady) return Result(sweep.Now, notSteady);
        Wait(Settle);
        if (WhileServing is { } whileServing)
        {
            whileServing(processes, sweep);
            if (Exited(processes) is { } dead) return Result(sweep.Now, dead);
        }

        // 2. The fault, to the node answering for the most VIPs, once every VIP has had one steady owner.
        if (WaitHeldByOne(sweep, processes) is { } unsteady) return Result(sweep.Now, unsteady);
        var owners = sweep.Owners(SteadyWindow).Select(o => o[0]).ToList();
        foreach (var (node, count) in HeldBy(sweep)) held[node] = count;
        var victim = _topology.Nodes.OrderByDescending(n => held[n.Name]).First();
        var victimVips = Enumerable.Range(0, _vips.Count).Where(v => owners[v] == victim.Mac).ToList();
        _progress("held: " + string.Join(", ", held.Select(h => $"{h.Key} {h.Value}")) + $"; fault to {victim.Name}");
        var process = processes[victim];
        sweep.ResetGaps();
        var faultAt = sweep.Now;
        if (scenario == FailoverScenario.Crash)
        {
            // Cable first: `ip` takes a moment, and a killed node's kernel would answer meanwhile, unlike a crashed machine.
            lab.SetLink(victim.Namespace, up: false);
            process.Signal(SIGKILL, tree: true);
            Note(faultAt, $"fault: cut {victim.Name}'s cable and SIGKILL it ({victimVips.Count} VIPs)");
        }
        else
        {
            process.Signal(SIGTERM);
            Note(faultAt, $"fault: SIGTERM {victim.Name} (graceful stop, {victimVips.Count} VIPs)");
        }

        // 3. Until another MAC answers for each of its VIPs, or the bound; then the tail (a killed node's addresses expire in 2 s).
        var recoveryDeadline = faultAt + RecoveryBound;
        while (sweep.Now < recoveryDeadline && Failovers(sweep, victimVips, victim.Mac, faultAt).Count < victimVips.Count)
            Wait(TimeSpan.FromMilliseconds(20));
        TimeSpan? stopTook = null;
        if (scenario == FailoverScenario.Graceful)
        {
            stopTook = process.WaitForExit(TimeSpan.FromSeconds(10)) ? sweep.Now - faultAt : null;
            Note(sweep.Now, stopTook is null ? $"{victim.Name} has not exited 10 s after SIGTERM" : $"{victim.Name} exited with code {process.ExitCode}");
        }
        Wait(Tail);

        var failovers = Failovers(sweep, victimVips, victim.Mac, faultAt);
        if (failovers.Count > 0)
        {
            Note(faultAt + failovers.Values.Min(), "the first of its VIPs answered by another node");
            Note(faultAt + failovers.Values.Max(), failovers.Count == victimVips.Count ? "the last of its VIPs answered by another node" :
                $"the last VIP back of {failovers.Count}; {victimVips.Count - failovers.Count} never");
        }
        var gaps = sweep.LongestGaps();
        var victimSet = victimVips.ToHashSet();
        var endOwners = sweep.Owners(SteadyWindow);
        var duals = sweep.Duals();
        foreach (var d in duals.Take(5))
            Note(d.From, $"DUAL OWNERSHIP of {d.Vip}: {string.Join(" and ", d.Macs.Select(m => _topology.NodeWithMac(m)?.Name ?? m))} answered one sweep");
        return new ManyVipsResult(scenario, _topology.Nodes.Count, _vips.Count, startToFirst, startToAll, held, victim, victimVips.Count,
            failovers.Values.ToList(),
            victimVips.Select(v => gaps[v]).DefaultIfEmpty().Max(),
            Enumerable.Range(0, _vips.Count).Where(v => !victimSet.Contains(v)).Select(v => gaps[v]).DefaultIfEmpty().Max(),
            duals, faultAt, endOwners.Count(o => o.Count == 1 && o[0] != victim.Mac), stopTook, Rate(sweep), null, Timeline(faultAt),
            FailoverTrial.Logs(processes));
    }

    /// <summary>Three sweeps: a VIP answered by one MAC within it is held; one lost answer is not a lost VIP.</summary>
    private TimeSpan SteadyWindow => SweepInterval * 3 + TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until every VIP is answered by exactly one MAC within the last <see cref="SteadyWindow"/>; null, or why not.</summary>
    private string? WaitHeldByOne(ArpSweep sweep, Dictionary<LabNode, LabProcess> processes)
    {
        var deadline = sweep.Now + ServingBound;
        while (true)
        {
            var owners = sweep.Owners(SteadyWindow);
            if (owners.All(o => o.Count == 1)) return null;
            if (Exited(processes) is { } dead) return dead;
            if (sweep.Now > deadline)
                return $"not every VIP had one owner within {ServingBound.TotalSeconds:0} s: {owners.Count(o => o.Count == 0)} unanswered, " +
                    $"{owners.Count(o => o.Count > 1)} answered by two or more";
            Wait(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Per VIP of <paramref name="vips"/> that another MAC answered after the fault, the time from the fault to that answer.</summary>
    private static Dictionary<int, TimeSpan> Failovers(ArpSweep sweep, IEnumerable<int> vips, string victimMac, TimeSpan faultAt)
    {
        var back = new Dictionary<int, TimeSpan>();
        foreach (var v in vips)
            if (sweep.Runs(v).FirstOrDefault(r => r.Mac != victimMac && r.Last > faultAt) is { Mac: not null } run)
                back[v] = (run.First > faultAt ? run.First : faultAt) - faultAt;
        return back;
    }

    private static string? Exited(Dictionary<LabNode, LabProcess> processes) =>
        processes.FirstOrDefault(p => p.Value.HasExited) is { Key: not null } dead
            ? $"{dead.Key.Name}'s process exited with code {dead.Value.ExitCode} before the fault"
            : null;

    /// <summary>Sweeps a second, from the median time between two: the slow sweeps while nodes idle do not count.</summary>
    private static double Rate(ArpSweep sweep)
    {
        var sweeps = sweep.Sweeps;
        if (sweeps.Count < 2) return 0;
        var gaps = sweeps.Zip(sweeps.Skip(1), (a, b) => b - a).Order().ToList();
        return 1 / gaps[gaps.Count / 2].TotalSeconds;
    }

    /// <summary>How many VIPs each node alone answered for within the last sweeps.</summary>
    public IReadOnlyDictionary<string, int> HeldBy(ArpSweep sweep)
    {
        var owners = sweep.Owners(SteadyWindow);
        return _topology.Nodes.ToDictionary(n => n.Name, n => owners.Count(o => o.Count == 1 && o[0] == n.Mac));
    }

    private void Note(TimeSpan at, string what) => _timeline.Add((at, what));

    private List<string> Timeline(TimeSpan zero) =>
        _timeline.OrderBy(e => e.At).Select(e => $"{(e.At - zero).TotalMilliseconds,8:+0;-0} ms  {e.What}").ToList();

    private void Wait(TimeSpan time)
    {
        if (_cancel.WaitHandle.WaitOne(time)) _cancel.ThrowIfCancellationRequested();
    }
}
