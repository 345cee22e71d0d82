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
/// new allocator learns it and the allocator's book (VipHealthBook, 6.5 s) does not forget a live node. A reload hands it the
/// new list (<see cref="Retarget"/>): a check that did not change keeps its verdict and its rhythm, so an unchanged VIP does not
/// fall back to unknown; added checks start unknown, removed ones stop.
/// </summary>
public sealed class VipHealthWatch : ReceiveActor, IWithTimers
{
    /// <summary>How often the report is re-sent without a change (VipHealthBook.Expiry keeps one a little over three of these).</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(2);

    /// <summary>A reload's health-tracked VIPs (<see cref="VipConfig.HealthTracked"/>); empty: none is tracked here any more.</summary>
    public sealed record Retarget(IReadOnlyList<VipConfig> Vips);

    private sealed record CheckTick(int Id);

    private sealed record CheckResult(int Id, bool Passed);

    private sealed record ResendTick
    {
        public static readonly ResendTick Instance = new();
    }

    private sealed class Check(int id, string vip, VipHealthCheck settings, IHealthProbe probe)
    {
        /// <summary>Names its timer and its results: a result of a check a reload removed finds no check and is dropped.</summary>
        public int Id { get; } = id;

        public string Vip { get; } = vip;
        public VipHealthCheck Settings { get; } = settings;
        public IHealthProbe Probe { get; } = probe;
        public CheckVerdict Verdict { get; set; } = CheckVerdict.Unknown;
        public bool InFlight { get; set; }
    }

    private readonly NodeId _self;
    private readonly IActorRef _allocator;
    private readonly Func<VipHealthCheck, Action<string>, IHealthProbe> _probeFor;
    private readonly Dictionary<int, Check> _checks = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IReadOnlyList<VipConfig> _vips;
    private IReadOnlyList<VipHealthEntry> _last = [];
    private int _nextId;

    /// <param name="vips">The health-tracked VIPs (<see cref="VipConfig.HealthTracked"/>).</param>
    /// <param name="probeFor">The probe of a check, given where its output goes (real ones: <see cref="VipHealthProbes"/>; tests: a fake).</param>
    public VipHealthWatch(NodeId self, IReadOnlyList<VipConfig> vips, Func<VipHealthCheck, Action<string>, IHealthProbe> probeFor, IActorRef allocator)
    {
        _self = self;
        _allocator = allocator;
        _probeFor = probeFor;
        _vips = vips;
        foreach (var vip in vips)
            foreach (var check in vip.Checks)
                Add(vip, check);
        Receive<CheckTick>(t => Run(t.Id));
        Receive<CheckResult>(OnResult);
        Receive<ResendTick>(_ => _allocator.Tell(new VipHealthReport(_self, _last)));
        Receive<Retarget>(OnRetarget);
    }

    private Check Add(VipConfig vip, VipHealthCheck settings)
    {
        var log = _log;
        var check = new Check(_nextId++, vip.Address.ToString(), settings, _probeFor(settings, line => log.Warning("vip={0}: {1}", vip.Address, line)));
        _checks.Add(check.Id, check);
        return check;
    }

    private void Start(Check check)
    {
        Timers.StartPeriodicTimer($"check-{check.Id}", new CheckTick(check.Id), check.Settings.Health.Interval);
        Self.Tell(new CheckTick(check.Id));
    }

    /// <summary>
    /// A reload's VIP list: each check of the new list that ran before (the same VIP, the same settings) goes on as it was; the others
    /// start now, unknown; checks no longer listed stop (their probe disposed, a result still on its way dropped). The allocator hears
    /// the new report at once, so a VIP no longer tracked here stops being placed by these checks.
    /// </summary>
    private void OnRetarget(Retarget retarget)
    {
        var kept = new HashSet<int>();
        var started = new List<Check>();
        foreach (var vip in retarget.Vips)
            foreach (var settings in vip.Checks)
            {
                var address = vip.Address.ToString();
                var same = _checks.Values.FirstOrDefault(c => !kept.Contains(c.Id) && c.Vip == address && c.Settings.Equals(settings));
                if (same is not null) kept.Add(same.Id);
                else started.Add(Add(vip, settings));
            }
        foreach (var gone in _checks.Values.Where(c => !kept.Contains(c.Id) && !started.Contains(c)).ToList())
        {
            Timers.Cancel($"check-{gone.Id}");
            (gone.Probe as IDisposable)?.Dispose();
            _checks.Remove(gone.Id);
        }
        _vips = retarget.Vips;
        foreach (var check in started) Start(check);
        _log.Info("health checks reloaded: {0} kept, {1} started, {2} VIPs tracked", kept.Count, started.Count, _vips.Count);
        _last = Entries();
        _allocator.Tell(new VipHealthReport(_self, _last));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId self, IReadOnlyList<VipConfig> vips, Func<VipHealthCheck, Action<string>, IHealthProbe> probeFor, IActorRef allocator) =>
        Akka.Actor.Props.Create(() => new VipHealthWatch(self, vips, probeFor, allocator));

    protected override void PreStart()
    {
        foreach (var check in _checks.Values) Start(check);
        Timers.StartPeriodicTimer("resend", ResendTick.Instance, ResendInterval);
        // At once, all unknown: the allocator learns which VIPs are health-tracked (and keep or release) before any verdict.
        _last = Entries();
        _allocator.Tell(new VipHealthReport(_self, _last));
    }

    protected override void PostStop()
    {
        foreach (var check in _checks.Values) (check.Probe as IDisposable)?.Dispose();
    }

    private void Run(int id)
    {
        if (!_checks.TryGetValue(id, out var check)) return;
        // A slow check is not stacked on: the next tick after it finishes starts the next one.
        if (check.InFlight) return;
        check.InFlight = true;
        var probe = check.Probe;
        var settings = check.Settings;
        var target = new Backend(settings.Host, (ushort)settings.Health.Port);
        var timeout = settings.Health.Timeout;
        RunProbe(probe, target, timeout).PipeTo(Self, success: passed => new CheckResult(id, passed));
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
        if (!_checks.TryGetValue(result.Id, out var check)) return; // removed by a reload while it ran
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
        return new VipHealthEntry(vip, CheckVerdict.Of(_checks.Values.Where(c => c.Vip == vip).Select(c => c.Verdict)), v.ReleaseWhenNoneHealthy);
    }).ToList();
}
