using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Notify;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Runs the health checks of every health-tracked VIP (issue 14 §1, /user/agent/vip-health, docs/HEALTH.md): each check
/// on its own interval through its <see cref="IHealthProbe"/> (off the actor loop, cancelled at its timeout, never two of
/// one check at once), each result through <see cref="CheckVerdict"/> (rise/fall, unknown until settled), and tells the
/// allocator this node's <see cref="VipHealthReport"/> on every change and every <see cref="ResendInterval"/>, so that a
/// new allocator learns it and the allocator's book (VipHealthBook, 6.5 s) does not forget a live node.
/// </summary>
public sealed class VipHealthWatch : ReceiveActor, IWithTimers
{
    /// <summary>How often the report is re-sent without a change (VipHealthBook.Expiry keeps one a little over three of these).</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(2);

    private sealed record CheckTick(int Index);

    private sealed record CheckResult(int Index, bool Passed);

    private sealed record ResendTick
    {
        public static readonly ResendTick Instance = new();
    }

    private sealed class Check(string vip, VipHealthCheck settings, IHealthProbe probe)
    {
        public string Vip { get; } = vip;
        public VipHealthCheck Settings { get; } = settings;
        public IHealthProbe Probe { get; } = probe;
        public CheckVerdict Verdict { get; set; } = CheckVerdict.Unknown;
        public bool InFlight { get; set; }
    }

    private readonly NodeId _self;
    private readonly IActorRef _allocator;
    private readonly IReadOnlyList<VipConfig> _vips;
    private readonly List<Check> _checks = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IReadOnlyList<VipHealthEntry> _last = [];

    /// <param name="vips">The health-tracked VIPs (<see cref="VipConfig.HealthTracked"/>).</param>
    /// <param name="probeFor">The probe of a check, given where its output goes (real ones: <see cref="VipHealthProbes"/>; tests: a fake).</param>
    public VipHealthWatch(NodeId self, IReadOnlyList<VipConfig> vips, Func<VipHealthCheck, Action<string>, IHealthProbe> probeFor, IActorRef allocator)
    {
        _self = self;
        _allocator = allocator;
        _vips = vips;
        foreach (var vip in vips)
        {
            var log = _log;
            foreach (var check in vip.Checks)
                _checks.Add(new Check(vip.Address.ToString(), check, probeFor(check, line => log.Warning("vip={0}: {1}", vip.Address, line))));
        }
        Receive<CheckTick>(t => Run(t.Index));
        Receive<CheckResult>(OnResult);
        Receive<ResendTick>(_ => _allocator.Tell(new VipHealthReport(_self, _last)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId self, IReadOnlyList<VipConfig> vips, Func<VipHealthCheck, Action<string>, IHealthProbe> probeFor, IActorRef allocator) =>
        Akka.Actor.Props.Create(() => new VipHealthWatch(self, vips, probeFor, allocator));

    protected override void PreStart()
    {
        for (var i = 0; i < _checks.Count; i++)
        {
            Timers.StartPeriodicTimer($"check-{i}", new CheckTick(i), _checks[i].Settings.Health.Interval);
            Self.Tell(new CheckTick(i));
        }
        Timers.StartPeriodicTimer("resend", ResendTick.Instance, ResendInterval);
        // At once, all unknown: the allocator learns which VIPs are health-tracked (and keep or release) before any verdict.
        _last = Entries();
        _allocator.Tell(new VipHealthReport(_self, _last));
    }

    protected override void PostStop()
    {
        foreach (var check in _checks) (check.Probe as IDisposable)?.Dispose();
    }

    private void Run(int index)
    {
        var check = _checks[index];
        // A slow check is not stacked on: the next tick after it finishes starts the next one.
        if (check.InFlight) return;
        check.InFlight = true;
        var probe = check.Probe;
        var settings = check.Settings;
        var target = new Backend(settings.Host, (ushort)settings.Health.Port);
        var timeout = settings.Health.Timeout;
        RunProbe(probe, target, timeout).PipeTo(Self, success: passed => new CheckResult(index, passed));
    }

    private static async Task<bool> RunProbe(IHealthProbe probe, Backend target, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            // Off the actor loop: a probe that blocks before its first await (a process start) delays no message.
            return await Task.Run(() => probe.CheckAsync(target, cancel.Token), cancel.Token);
        }
        catch (Exception)
        {
            return false;
        }
    }

    private void OnResult(CheckResult result)
    {
        var check = _checks[result.Index];
        check.InFlight = false;
        var before = check.Verdict;
        check.Verdict = before.Next(result.Passed, check.Settings.Health.Rise, check.Settings.Health.Fall);
        if (check.Verdict.Healthy != before.Healthy)
        {
            // vip={N} is a field of the line (LogTemplate), so it goes last: in the middle it left "... of is passing" as the message.
            var state = check.Verdict.Healthy == true ? $"passing ({check.Settings.Health.Rise} in a row)" : $"failing ({check.Settings.Health.Fall} in a row)";
            _log.Info("health check {0} is {1} vip={2}", check.Settings.Name, state, check.Vip);
        }
        var entries = Entries();
        if (entries.SequenceEqual(_last)) return;
        // The fault hook of each VIP that just turned failing here (run by the NotifyActor only if this node holds it).
        foreach (var turned in entries.Where(e => e.Health == VipHealth.Failing && !_last.Any(l => l.Vip == e.Vip && l.Health == VipHealth.Failing)))
            NotifyHooks.Fault(Context.System, turned.Vip, $"health: {check.Settings.Name} failing");
        _last = entries;
        _allocator.Tell(new VipHealthReport(_self, entries));
    }

    private List<VipHealthEntry> Entries() => _vips.Select(v =>
    {
        var vip = v.Address.ToString();
        return new VipHealthEntry(vip, CheckVerdict.Of(_checks.Where(c => c.Vip == vip).Select(c => c.Verdict)), v.ReleaseWhenNoneHealthy);
    }).ToList();
}
