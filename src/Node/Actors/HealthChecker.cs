using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Checks every backend each interval, all in parallel, each cancelled at the timeout; feeds the results through
/// <see cref="RiseFall"/> and tells its parent when a backend's verdict flips, naming the service it checks for.
/// Backends start healthy. With <see cref="HealthSettings.Port"/> set, it checks that port of each backend instead of its own.
/// </summary>
public sealed class HealthChecker : ReceiveActor, IWithTimers
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Results(IReadOnlyList<(Backend Backend, bool Passed)> Checks);

    private readonly HealthSettings _settings;
    private readonly IHealthProbe _probe;
    private readonly string _service;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Backend, HealthState> _states = new();
    private bool _inFlight;

    public HealthChecker(HealthSettings settings, IHealthProbe probe, string service = "")
    {
        _settings = settings;
        _probe = probe;
        _service = service;
        Receive<CheckTargets>(OnTargets);
        Receive<Tick>(_ => Round());
        Receive<Results>(OnResults);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HealthSettings settings, IHealthProbe probe, string service = "") =>
        Akka.Actor.Props.Create(() => new HealthChecker(settings, probe, service));

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Tick.Instance, _settings.Interval);

    private void OnTargets(CheckTargets targets)
    {
        foreach (var gone in _states.Keys.Except(targets.Backends).ToList()) _states.Remove(gone);
        foreach (var backend in targets.Backends) _states.TryAdd(backend, HealthState.Initial);
    }

    private void Round()
    {
        // A slow round is not stacked on: the next tick after it finishes starts the next one.
        if (_inFlight || _states.Count == 0) return;
        _inFlight = true;
        var backends = _states.Keys.ToList();
        var timeout = _settings.Timeout;
        var probe = _probe;
        var port = (ushort)_settings.Port;
        Task.WhenAll(backends.Select(async b =>
            {
                using var cancel = new CancellationTokenSource(timeout);
                try
                {
                    return (b, await probe.CheckAsync(port == 0 ? b : b with { Port = port }, cancel.Token));
                }
                catch (Exception)
                {
                    return (b, false);
                }
            }))
            .PipeTo(Self, success: r => new Results(r));
    }

    private void OnResults(Results results)
    {
        _inFlight = false;
        foreach (var (backend, passed) in results.Checks)
        {
            if (!_states.TryGetValue(backend, out var before)) continue; // removed while being checked
            var after = RiseFall.Next(before, passed, _settings.Rise, _settings.Fall);
            _states[backend] = after;
            if (after.Healthy == before.Healthy) continue;
            _log.Info("backend {0}{1} is {2} after {3} checks in a row", backend, _service.Length > 0 ? $" of {_service}" : "",
                after.Healthy ? "healthy again" : "failing", after.Healthy ? _settings.Rise : _settings.Fall);
            Context.Parent.Tell(new BackendHealthChanged(backend, after.Healthy, _service));
        }
    }
}
