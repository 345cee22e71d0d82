using System.Text;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>
/// One trial: start the service on every node, wait until the VIP answers, do the fault to its owner, watch the
/// client until the VIP answers from another node (or a 10 s bound passes), keep watching through the
/// scenario's tail (heal, SIGCONT, the killed node's address expiring), and report what the client saw.
/// </summary>
public sealed class FailoverTrial
{
    public static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ServingBound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan FaultHold = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan OneWayHold = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FreezeTwoHold = TimeSpan.FromSeconds(2.5);
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(1);

    /// <summary>The health scenario's check on every node: a GET of its own API server every 200 ms, failing after 2 misses in a row.</summary>
    public static readonly LabHealthCheck HealthCheck =
        LabHealthCheck.Http(ApiServers.Url, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), rise: 2, fall: 2);

    private readonly VipTopology _topology;
    private readonly IVipService _service;
    private readonly Action<string> _progress;
    private readonly CancellationToken _cancel;
    private readonly List<(TimeSpan At, string What)> _timeline = new();

    public FailoverTrial(VipTopology topology, IVipService service, Action<string> progress, CancellationToken cancel)
    {
        _topology = topology;
        _service = service;
        _progress = progress;
        _cancel = cancel;
    }

    /// <summary>How long the cluster runs with its owner before the fault (every member joined, leases settled).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Called once the VIP is served and settled, before the fault, e.g. to measure idle memory and CPU.</summary>
    public Action<IReadOnlyDictionary<LabNode, LabProcess>>? WhileServing { get; init; }

    /// <summary>
    /// Called once another node answers and the scenario's tail is over, before the last look: a test goes on from there (its
    /// time is part of the observation, so dual ownership in it counts too).
    /// </summary>
    public Action<TrialTail>? AfterRecovery { get; init; }

    /// <summary>The health scenario: the VIP's health check on every node (by default <see cref="HealthCheck"/>).</summary>
    public LabHealthCheck Check { get; init; } = HealthCheck;

    /// <summary>The health scenario: the API servers started on every node before the nodes (by default plain HTTP ones).</summary>
    public ApiServers? ApiServers { get; init; }

    /// <summary>The health scenario: what is done to the owner's API server (by default it is stopped).</summary>
    public ApiServerFault HealthFault { get; init; } = ApiServerFault.Stop;

    public TrialResult Run(FailoverScenario scenario)
    {
        using var observer = new ClientObserver(_topology.Lab, _topology.Client, VipTopology.Vip, VipTopology.ProbeSender);
        var started = observer.Now;
        // The health scenario: every node's API server answering before the nodes start, so that each turns healthy at once.
        ApiServers? api = null;
        var service = _service;
        if (scenario == FailoverScenario.Health)
        {
            service = _service.WithHealthCheck(Check) ?? throw new NotSupportedException($"{_service.Name} has no health checks");
            api = ApiServers ?? new ApiServers(_topology.Lab);
            api.Start(_topology.Nodes);
            _progress($"API servers answer on every node; the VIP's health check: {Check.Hocon}");
        }
        var processes = _topology.Nodes.ToDictionary(n => n, n => service.Start(_topology, n));
        _progress($"started {_service.Name} on {string.Join(", ", processes.Select(p => $"{p.Key.Name} (pid {p.Value.Pid})"))}");

        string? Fail(string why) => why;
        TrialResult Result(LabNode? oldOwner, IReadOnlyList<LabNode> newOwners, TimeSpan? serving, TimeSpan faultAt, string? failure) =>
            new(_service.Name, scenario, oldOwner, newOwners, serving, faultAt, observer.Snapshot(), failure, Timeline(), Logs(processes));

        // 1. Serving: pings answered and exactly one MAC answering who-has.
        LabNode? owner = null;
        var deadline = observer.Now + ServingBound;
        while (owner is null)
        {
            Wait(TimeSpan.FromMilliseconds(50));
            if (processes.FirstOrDefault(p => p.Value.HasExited) is { Key: not null } dead)
                return Result(null, [], null, observer.Now, Fail($"{dead.Key.Name}'s process exited with code {dead.Value.ExitCode} " +
                    "before the VIP was served"));
            if (observer.Now > deadline)
                return Result(null, [], null, observer.Now, Fail($"the VIP was not served within {ServingBound.TotalSeconds:0} s of starting the nodes"));
            if (!observer.Answering(TimeSpan.FromMilliseconds(100))) continue;
            var macs = observer.RecentOwners(TimeSpan.FromMilliseconds(100));
            if (macs.Count == 1) owner = _topology.NodeWithMac(macs[0]);
        }
        var snapshot = observer.Snapshot();
        var serving = snapshot.Replies[0] - started;
        _progress($"VIP {VipTopology.Vip} answers the client after {serving.TotalSeconds:0.0} s; owner {owner.Name} ({owner.Namespace}, {owner.Mac})");
        Wait(Settle);
        WhileServing?.Invoke(processes);
        // A busy machine can make a fresh owner's lease lapse for a moment; fault only a steady owner, and only once
        // every node has joined (the fault is to the owner, not to a cluster still forming).
        var steadyDeadline = observer.Now + ServingBound;
        while (true)
        {
            var now = observer.Now;
            var recent = observer.Snapshot();
            var owners = recent.OwnersBetween(now - Steady, now);
            var joining = _service.NotJoined(_topology, processes.Values);
            if (owners.Count == 1 && recent.LongestSilence(now - Steady, now) < TimeSpan.FromMilliseconds(100)
                && _topology.NodeWithMac(owners[0]) is { } steady && joining.Count == 0)
            {
                owner = steady;
                break;
            }
            if (now > steadyDeadline)
                return Result(owner, [], serving, now, Fail($"the VIP had no steady owner for {Steady.TotalSeconds:0} s before the fault (answering: " +
                    $"{string.Join(", ", owners)}; not yet Up: {string.Join(", ", joining.Select(n => n.Name))})"));
            Wait(TimeSpan.FromMilliseconds(100));
        }

        // 2. The fault.
        var process = processes[owner];
        var faultAt = observer.Now;
        var others = _topology.Nodes.Where(n => n != owner).ToList();
        LabNode? allocator = null;
        if (scenario.TakesTwoNodes())
        {
            if (_topology.Nodes.Count < 5)
                return Result(owner, [], serving, faultAt, Fail($"{scenario.Name()} takes two nodes, which leaves no majority of {_topology.Nodes.Count}: " +
                    "run it with 5 nodes"));
            allocator = AllocatorNode(processes);
            if (scenario == FailoverScenario.FreezeTwo && allocator == owner) allocator = others[0]; // two bystanders, then
            if (allocator is null || allocator == owner)
                return Result(owner, [], serving, faultAt,
                    Fail($"the allocator's node could not be told apart from the owner ({allocator?.Name ?? "no log line"})"));
            others.Remove(allocator);
        }
        switch (scenario)
        {
            case FailoverScenario.Crash:
                // Cable first: `ip` takes a moment, and a killed node's kernel would answer meanwhile, unlike a crashed machine.
                _topology.Lab.SetLink(owner.Namespace, up: false);
                process.Signal(SIGKILL, tree: true);
                Note(faultAt, faultAt, $"fault: cut {owner.Name}'s cable and SIGKILL it");
                break;
            case FailoverScenario.Graceful:
                process.Signal(SIGTERM);
                Note(faultAt, faultAt, $"fault: SIGTERM {owner.Name} (graceful stop)");
                break;
            case FailoverScenario.Partition:
                BridgePartition.Isolate(_topology.Lab.Switch, owner.BridgePort, others.Select(n => n.BridgePort));
                Note(faultAt, faultAt, $"fault: switch drops frames between {owner.Name} and {string.Join(", ", others.Select(n => n.Name))}; " +
                    "the client still reaches all");
                break;
            case FailoverScenario.Kill9:
                process.Signal(SIGKILL, tree: true);
                Note(faultAt, faultAt, $"fault: kill -9 {owner.Name} (its kernel and cable stay up)");
                break;
            case FailoverScenario.Freeze:
                process.Signal(SIGSTOP, tree: true);
                Note(faultAt, faultAt, $"fault: SIGSTOP {owner.Name} for {FaultHold.TotalSeconds:0} s");
                break;
            case FailoverScenario.RackCrash:
                _topology.Lab.SetLinks([owner.Namespace, allocator!.Namespace], up: false);
                process.Signal(SIGKILL, tree: true);
                processes[allocator].Signal(SIGKILL, tree: true);
                Note(faultAt, faultAt, $"fault: cut the cables of {owner.Name} (owner) and {allocator.Name} (allocator) and SIGKILL both");
                break;
            case FailoverScenario.OneWay:
                BridgePartition.DropOneWay(_topology.Lab.Switch, [owner.BridgePort], others.Select(n => n.BridgePort));
                Note(faultAt, faultAt, $"fault: switch drops {owner.Name}'s frames to {string.Join(", ", others.Select(n => n.Name))} (not theirs to it) " +
                    $"for {OneWayHold.TotalSeconds:0} s");
                break;
            case FailoverScenario.OneWayIn:
                // Neither the owner nor the allocator's node, when there is one (nemesis D #60: owner n1, allocator n3, cut off n2).
                var allocating = AllocatorNode(processes);
                var cutOff = others.FirstOrDefault(n => n != allocating) ?? others[0];
                var rest = _topology.Nodes.Where(n => n != cutOff).ToList();
                BridgePartition.DropOneWay(_topology.Lab.Switch, rest.Select(n => n.BridgePort), [cutOff.BridgePort]);
                Note(faultAt, faultAt, $"fault: switch drops the frames of {string.Join(", ", rest.Select(n => n.Name))} (owner {owner.Name}, " +
                    $"allocator {allocating?.Name ?? "?"}) to {cutOff.Name} (not {cutOff.Name}'s to them) for {OneWayHold.TotalSeconds:0} s");
                break;
            case FailoverScenario.FreezeTwo:
                processes[allocator!].Signal(SIGSTOP, tree: true);
                processes[others[0]].Signal(SIGSTOP, tree: true);
                Note(faultAt, faultAt, $"fault: SIGSTOP {allocator!.Name} and {others[0].Name} (not the owner {owner.Name}) for " +
                    $"{FreezeTwoHold.TotalSeconds:0.0} s");
                break;
            case FailoverScenario.RackPartition:
                BridgePartition.Isolate(_topology.Lab.Switch, [owner.BridgePort, allocator!.BridgePort], others.Select(n => n.BridgePort));
                Note(faultAt, faultAt, $"fault: switch cuts {owner.Name} (owner) and {allocator.Name} (allocator) off from " +
                    $"{string.Join(", ", others.Select(n => n.Name))}; the client still reaches all");
                break;
            case FailoverScenario.Health:
                Note(faultAt, faultAt, $"fault: {owner.Name}'s API server {HealthFault.What} (its node runs on)");
                HealthFault.Apply(api!, owner);
                Note(faultAt, observer.Now, $"{owner.Name}'s API server: the fault is done");
                break;
        }

        // 3. Until another node answers and the pings are answered again.
        // (Not when the fault keeps the owner: then the whole tail is watched for a blink.)
        var recoveryDeadline = scenario.KeepsTheOwner() ? faultAt : faultAt + RecoveryBound;
        while (observer.Now < recoveryDeadline)
        {
            Wait(TimeSpan.FromMilliseconds(20));
            if (observer.Answering(TimeSpan.FromMilliseconds(30)) && observer.RecentOwners(TimeSpan.FromMilliseconds(50)).Any(m => m != owner.Mac)) break;
        }

        // 4. The scenario's tail: heal or wake the old owner and watch what it does; give a killed node's address time to expire.
        switch (scenario)
        {
            case FailoverScenario.OneWay or FailoverScenario.OneWayIn:
                // Long enough for the failure detector and the split brain resolver to act on it (about 7 s).
                WaitUntil(observer, faultAt + OneWayHold);
                BridgePartition.Heal(_topology.Lab.Switch);
                Note(faultAt, observer.Now, "one-way drop healed");
                WaitUntil(observer, observer.Now + TimeSpan.FromSeconds(10));
                break;
            case FailoverScenario.Partition or FailoverScenario.RackPartition:
                WaitUntil(observer, faultAt + FaultHold);
                BridgePartition.Heal(_topology.Lab.Switch);
                Note(faultAt, observer.Now, "partition healed");
                WaitUntil(observer, observer.Now + TimeSpan.FromSeconds(3));
                break;
            case FailoverScenario.FreezeTwo:
                WaitUntil(observer, faultAt + FreezeTwoHold);
                processes[allocator!].Signal(SIGCONT, tree: true);
                processes[others[0]].Signal(SIGCONT, tree: true);
                Note(faultAt, observer.Now, $"SIGCONT {allocator!.Name} and {others[0].Name}");
                WaitUntil(observer, observer.Now + TimeSpan.FromSeconds(5));
                break;
            case FailoverScenario.Freeze:
                WaitUntil(observer, faultAt + FaultHold);
                process.Signal(SIGCONT, tree: true);
                Note(faultAt, observer.Now, $"SIGCONT {owner.Name}");
                WaitUntil(observer, observer.Now + TimeSpan.FromSeconds(3));
                break;
            case FailoverScenario.Kill9:
                WaitUntil(observer, faultAt + TimeSpan.FromSeconds(4));
                break;
            default:
                WaitUntil(observer, observer.Now + TimeSpan.FromSeconds(1));
                break;
        }
        AfterRecovery?.Invoke(new TrialTail(observer, owner, faultAt, processes, api, (at, what) => Note(faultAt, at, what)));

        // Silent at the end (say the new owner's lease lapsed for a moment): watch until it answers, within the bound.
        while (!observer.Answering(TimeSpan.FromMilliseconds(50)) && observer.Now < faultAt + RecoveryBound + TimeSpan.FromSeconds(5))
            Wait(TimeSpan.FromMilliseconds(20));
        WaitUntil(observer, observer.Now + TimeSpan.FromMilliseconds(300));

        var seen = observer.Snapshot();
        var newOwners = seen.OwnersBetween(seen.End - TimeSpan.FromMilliseconds(300), seen.End)
            .Select(_topology.NodeWithMac).OfType<LabNode>().ToList();
        foreach (var n in seen.OwnersBetween(faultAt, seen.End).Select(_topology.NodeWithMac).OfType<LabNode>())
            if (seen.FirstAnswerFrom(n.Mac, faultAt) is { } first && n != owner) Note(faultAt, first, $"{n.Name} answers who-has {VipTopology.Vip}");
        var (silent, back) = seen.LongestSilenceSpan(faultAt, seen.End);
        Note(faultAt, silent, "the client's last answered ping before its longest silence");
        Note(faultAt, back, back < seen.End ? "the client's pings are answered again" : "end of the trial: the VIP is still silent");
        foreach (var w in seen.DualOwnership().Take(5))
            Note(faultAt, w.From, $"DUAL OWNERSHIP: {string.Join(" and ", w.Macs.Select(m => _topology.NodeWithMac(m)?.Name ?? m))} answered the same probe");
        return new TrialResult(_service.Name, scenario, owner, newOwners, serving, faultAt, seen, null, Timeline(), Logs(processes));
    }

    /// <summary>
    /// The node that runs the allocator singleton: the one whose log last says it recovered as allocator (each node logs
    /// with a timestamp first, so the latest line is the current allocator).
    /// </summary>
    private static LabNode? AllocatorNode(Dictionary<LabNode, LabProcess> processes) =>
        processes
            .Select(p => (Node: p.Key, Line: File.ReadLines(p.Value.LogPath).LastOrDefault(l => l.Contains("allocator recovered", StringComparison.Ordinal))))
            .Where(x => x.Line is not null)
            .OrderBy(x => x.Line, StringComparer.Ordinal)
            .Select(x => x.Node)
            .LastOrDefault();

    private void Note(TimeSpan faultAt, TimeSpan at, string what) => _timeline.Add((at - faultAt, what));

    private List<string> Timeline() =>
        _timeline.OrderBy(e => e.At).Select(e => $"{e.At.TotalMilliseconds,7:+0;-0} ms  {e.What}").ToList();

    private void Wait(TimeSpan time)
    {
        if (_cancel.WaitHandle.WaitOne(time)) _cancel.ThrowIfCancellationRequested();
    }

    private void WaitUntil(ClientObserver observer, TimeSpan at)
    {
        var left = at - observer.Now;
        if (left > TimeSpan.Zero) Wait(left);
    }

    /// <summary>The last lines of every node's log, for a failure message.</summary>
    internal static string Logs(IReadOnlyDictionary<LabNode, LabProcess> processes)
    {
        var text = new StringBuilder();
        foreach (var (node, p) in processes)
            text.Append($"--- {node.Name} ({p.LogPath}{(p.HasExited ? $", exited {p.ExitCode}" : "")}) ---\n{p.Tail(40)}\n");
        return text.ToString();
    }
}

/// <summary>
/// Where a trial stands once another node answered (<see cref="FailoverTrial.AfterRecovery"/>): its client, the owner the fault was
/// done to, when (on the client's clock), the nodes' processes, the API servers of the health scenario, and a way to add a line to
/// the trial's timeline (at a time on the client's clock).
/// </summary>
public sealed record TrialTail(ClientObserver Observer, LabNode OldOwner, TimeSpan FaultAt, IReadOnlyDictionary<LabNode, LabProcess> Processes,
    ApiServers? ApiServers, Action<TimeSpan, string> Note);
