using System.Text;
using ActorVip.Lab.Demo;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Nemesis;

/// <summary>How long, how many nodes, which schedule: the nemesis's inputs, checked by the command.</summary>
/// <remarks>
/// <see cref="Kinds"/>: the kinds of fault the schedule draws from; null for every kind. <see cref="NodeConfig"/>:
/// HOCON appended to every node's config (`--node-config`, e.g. Akka's debug logging); not part of the schedule.
/// </remarks>
public sealed record NemesisOptions(int Nodes, TimeSpan Duration, int Seed, TimeSpan Settle, IReadOnlyList<FaultKind>? Kinds = null,
    string NodeConfig = "")
{
    /// <summary>The command line that runs the same schedule again.</summary>
    public string Replay => FormattableString.Invariant(
        $"actorvip-lab nemesis --nodes {Nodes} --seed {Seed} --duration {Duration.TotalSeconds:0}s --settle {Settle.TotalMilliseconds:0}ms")
        + (Kinds is null ? "" : $" --faults {string.Join(",", Kinds.Select(PlannedFault.KindName))}");
}

/// <summary>
/// A nemesis run: every fault's window as measured, the verdict, the nodes' log tails and every node process it started
/// (restarts included); <see cref="Failure"/> when it could not start.
/// </summary>
public sealed record NemesisResult(IReadOnlyList<FaultOutcome> Outcomes, NemesisVerdict? Verdict, string? Failure, string Logs, IReadOnlyList<int> Pids);

/// <summary>
/// Runs the seeded fault schedule over real `actorvip run` processes in the lab's namespaces while the demo's client
/// pings the VIP every 10 ms and asks who-has every 20 ms: start every node, wait until one owner answers, then one
/// fault after another, each no earlier than the plan says and only once every node is running and Up again and the
/// VIP answers (up to a bound), with a settle after each; at the end the verdict over everything the client saw.
/// Every process it starts belongs to the lab, which kills it on Dispose.
/// </summary>
public sealed class NemesisRunner
{
    private static readonly TimeSpan ServingBound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan UpBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);
    /// <summary>How long the runner waits, after a fault's settle, for a silent VIP before it does the next fault anyway.</summary>
    private static readonly TimeSpan AnsweringBound = TimeSpan.FromSeconds(30);

    private readonly VipTopology _topology;
    private readonly NemesisOptions _options;
    private readonly Action<string> _progress;
    private readonly CancellationToken _cancel;
    private readonly ActorVipService _service;
    private readonly LabProcess?[] _processes;
    private readonly List<LabProcess> _everStarted = new();

    public NemesisRunner(VipTopology topology, NemesisOptions options, Action<string> progress, CancellationToken cancel)
    {
        _topology = topology;
        _options = options;
        _progress = progress;
        _cancel = cancel;
        _service = new ActorVipService(settings: options.NodeConfig);
        _processes = new LabProcess?[topology.Nodes.Count];
    }

    /// <summary>Called with each fault's outcome as soon as its window closes.</summary>
    public Action<FaultOutcome>? OnFault { get; init; }

    public NemesisResult Run()
    {
        var plan = FaultSchedule.Plan(_options.Seed, _options.Nodes, _options.Duration, _options.Settle, _options.Kinds);
        using var observer = new ClientObserver(_topology.Lab, _topology.Client, VipTopology.Vip, VipTopology.ProbeSender);
        for (var i = 0; i < _processes.Length; i++) Start(i);
        _progress($"started actorvip on {string.Join(", ", _topology.Nodes.Select((n, i) => $"{n.Name} (pid {_processes[i]!.Pid})"))}");

        var deadline = observer.Now + ServingBound;
        string? owner = null;
        while (owner is null)
        {
            Wait(TimeSpan.FromMilliseconds(50));
            if (Exited().Select(i => (int?)i).FirstOrDefault() is { } dead)
            {
                var why = $"{_topology.Nodes[dead].Name}'s process exited with code {_processes[dead]!.ExitCode} before the VIP was served";
                return new NemesisResult([], null, why, Logs(), Pids());
            }
            if (observer.Now > deadline)
                return new NemesisResult([], null, $"the VIP was not served within {ServingBound.TotalSeconds:0} s of starting the nodes", Logs(), Pids());
            if (observer.Answering(TimeSpan.FromMilliseconds(100)) && observer.RecentOwners(TimeSpan.FromMilliseconds(100)) is [var mac]) owner = Name(mac);
        }
        _progress($"VIP {VipTopology.Vip} answers the client; owner {owner}; settling {_options.Settle.TotalSeconds:0.#} s before the first fault");
        Wait(_options.Settle);

        var windows = new List<FaultWindow>();
        var origin = observer.Now;
        FaultWindow? open = null;
        // A window closes only when the next fault begins (or the run ends): a silence that outlasts the settle, or the
        // restart of a node that exited meanwhile, still belongs to the fault before.
        void Close()
        {
            if (open is null) return;
            var window = open with { End = observer.Now };
            windows.Add(window);
            var seen = observer.Snapshot();
            OnFault?.Invoke(NemesisVerdict.Measure(seen, seen.DualOwnership(), window));
            open = null;
        }
        foreach (var fault in plan)
        {
            if (observer.Now - origin >= _options.Duration) break;
            WaitUntil(observer, origin + fault.PlannedAt);
            var notUp = EnsureRunning();
            var answering = WaitAnswering(observer, AnsweringBound);
            Close();
            var before = string.Join(",", observer.RecentOwners(TimeSpan.FromMilliseconds(200)).Select(Name));
            var cause = fault.NoMajorityCause(_options.Nodes)
                ?? (notUp.Count > 0 ? $"{string.Join(",", notUp.Select(i => _topology.Nodes[i].Name))} not Up again within {UpBound.TotalSeconds:0} s" : null)
                ?? (answering ? null : $"the VIP was not answering when it began (silent {AnsweringBound.TotalSeconds:0} s after the fault before)");
            var at = observer.Now;
            Do(fault);
            WaitUntil(observer, observer.Now + _options.Settle);
            open = new FaultWindow(fault, at, observer.Now, before.Length == 0 ? null : before, cause);
        }
        // As before every fault: a service manager would restart an exited node; the last window ends when the VIP answers.
        EnsureRunning();
        WaitAnswering(observer, AnsweringBound);
        Close();
        var (outcomes, verdict) = NemesisVerdict.Judge(observer.Snapshot(), windows, NemesisVerdict.PromiseBound);
        return new NemesisResult(outcomes, verdict, null, Logs(), Pids());
    }

    private void Do(PlannedFault fault)
    {
        var lab = _topology.Lab;
        var targets = fault.Targets.Select(i => _topology.Nodes[i]).ToList();
        var rest = _topology.Nodes.Where((_, i) => !fault.Targets.Contains(i)).ToList();
        switch (fault.Kind)
        {
            case FaultKind.Partition:
                BridgePartition.Isolate(lab.Switch, targets.Select(n => n.BridgePort), rest.Select(n => n.BridgePort));
                Wait(fault.Hold);
                BridgePartition.Heal(lab.Switch);
                break;
            case FaultKind.OneWayDrop:
                var (from, to) = fault.FromTargets ? (targets, rest) : (rest, targets);
                BridgePartition.DropOneWay(lab.Switch, from.Select(n => n.BridgePort), to.Select(n => n.BridgePort));
                Wait(fault.Hold);
                BridgePartition.Heal(lab.Switch);
                break;
            case FaultKind.Kill9:
                foreach (var i in fault.Targets) _processes[i]!.Signal(SIGKILL, tree: true);
                foreach (var i in fault.Targets) _processes[i]!.WaitForExit(ExitBound);
                Wait(fault.Hold);
                RestartAndWaitUp(fault.Targets);
                break;
            case FaultKind.Freeze:
                foreach (var i in fault.Targets) _processes[i]!.Signal(SIGSTOP, tree: true);
                Wait(fault.Hold);
                foreach (var i in fault.Targets) _processes[i]!.Signal(SIGCONT, tree: true);
                break;
            case FaultKind.RollingRestart:
                foreach (var i in fault.Targets)
                {
                    _processes[i]!.Signal(SIGTERM);
                    if (!_processes[i]!.WaitForExit(ExitBound))
                    {
                        _progress($"{_topology.Nodes[i].Name} did not stop within {ExitBound.TotalSeconds:0} s of SIGTERM; killing it");
                        _processes[i]!.Signal(SIGKILL, tree: true);
                        _processes[i]!.WaitForExit(ExitBound);
                    }
                    RestartAndWaitUp([i]);
                    // The next node stops only after a settle, as an operator's rolling restart would wait for readiness.
                    if (i != fault.Targets[^1]) Wait(_options.Settle);
                }
                break;
        }
    }

    /// <summary>Restarts any node whose process exited (a node downed by the split-brain resolver exits); the nodes not Up again in time.</summary>
    private List<int> EnsureRunning()
    {
        var exited = Exited().ToList();
        foreach (var i in exited)
        {
            // Its last words say why (downed by the split-brain resolver, a refused configuration, a crash).
            var last = _processes[i]!.Tail(3).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"\n     {l}");
            var name = _topology.Nodes[i].Name;
            _progress($"{name}'s process had exited (code {_processes[i]!.ExitCode}); starting it again. Its last lines:{string.Concat(last)}");
        }
        return RestartAndWaitUp(exited);
    }

    private List<int> RestartAndWaitUp(IReadOnlyList<int> nodes)
    {
        if (nodes.Count == 0) return [];
        var before = nodes.ToDictionary(i => i, UpCount);
        foreach (var i in nodes) Start(i);
        var deadline = DateTime.UtcNow + UpBound;
        var waiting = nodes.ToList();
        while (waiting.Count > 0 && DateTime.UtcNow < deadline)
        {
            Wait(TimeSpan.FromMilliseconds(250));
            waiting.RemoveAll(i => UpCount(i) > before[i]);
        }
        foreach (var i in waiting) _progress($"{_topology.Nodes[i].Name} was not moved to Up within {UpBound.TotalSeconds:0} s of its restart");
        return waiting;
    }

    private int UpCount(int node)
    {
        var address = _topology.Nodes[node].Address.ToString();
        List<LabProcess> all;
        lock (_everStarted) all = _everStarted.ToList();
        return all.Sum(p => ActorVipService.UpAddresses(p.Output).Count(a => a == address));
    }

    private void Start(int node)
    {
        var process = _service.Start(_topology, _topology.Nodes[node]);
        _processes[node] = process;
        lock (_everStarted) _everStarted.Add(process);
    }

    private IEnumerable<int> Exited() => Enumerable.Range(0, _processes.Length).Where(i => _processes[i] is { HasExited: true });

    private string Name(string mac) => _topology.NodeWithMac(mac)?.Name ?? mac;

    private void Wait(TimeSpan time)
    {
        if (time > TimeSpan.Zero && _cancel.WaitHandle.WaitOne(time)) _cancel.ThrowIfCancellationRequested();
    }

    private void WaitUntil(ClientObserver observer, TimeSpan at) => Wait(at - observer.Now);

    /// <summary>Waits until the client's pings are answered again, within <paramref name="bound"/>; whether they are.</summary>
    private bool WaitAnswering(ClientObserver observer, TimeSpan bound)
    {
        var giveUp = observer.Now + bound;
        while (!observer.Answering(TimeSpan.FromMilliseconds(50)))
        {
            if (observer.Now >= giveUp) return false;
            Wait(TimeSpan.FromMilliseconds(20));
        }
        return true;
    }

    private List<int> Pids() { lock (_everStarted) return _everStarted.Select(p => p.Pid).ToList(); }

    private string Logs()
    {
        var text = new StringBuilder();
        for (var i = 0; i < _processes.Length; i++)
            if (_processes[i] is { } p)
                text.Append($"--- {_topology.Nodes[i].Name} ({p.LogPath}{(p.HasExited ? $", exited {p.ExitCode}" : "")}) ---\n{p.Tail(40)}\n");
        return text.ToString();
    }
}
