using ActorVip.Messages.Ownership;
using ActorVip.Node.Observability;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Notify;

/// <summary>
/// Runs actorvip.notify's hook on this node's ownership events: <c>acquired</c> and <c>released</c> (VipAcquired,
/// VipReleased), and <c>fault</c> for every VIP it holds on an interface that can no longer serve (LinkObserved), for every VIP it holds when
/// the kernel fence cannot be kept (FenceObserved), or when
/// <see cref="NotifyHooks.Fault"/> is called. Observation only: it listens to the event stream, so nothing on the ownership
/// path waits for it; each run is a task off the actor loop (<see cref="IHookRunner"/>) whose end comes back as a message.
/// A failure is one warning line and a <see cref="HookFailed"/> on the event stream (the metric).
/// </summary>
public sealed class NotifyActor : ReceiveActor
{
    public const string Name = "notify";

    private sealed record Done(HookRun Run, HookResult Result);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, long> _held = new(StringComparer.Ordinal);
    /// <summary>The VIP interfaces that cannot serve now: a fault is run once per loss of each.</summary>
    private readonly HashSet<string> _linkFaults = new(StringComparer.Ordinal);
    /// <summary>Whether the kernel fence is broken now: its fault is run once per outage.</summary>
    private bool _fenceFault;
    /// <summary>The VIPs with a hook running, each with the runs waiting for it.</summary>
    private readonly Dictionary<string, Queue<HookRun>> _queued = new(StringComparer.Ordinal);

    /// <param name="interfaceOf">The interface a VIP (its address text) lives on: ACTORVIP_INTERFACE, and which link loss faults it.</param>
    public NotifyActor(NotifySettings settings, IHookRunner runner, string self, Func<string, string> interfaceOf)
    {
        // One VIP's hooks run one after the other, in the order of its events (acquired before the released that follows);
        // different VIPs' hooks run side by side.
        void Start(HookRun run) =>
            // Task.Run: even starting a process (fork, exec) happens off the actor loop.
            Task.Run(() => runner.RunAsync(settings.Command, run, settings.Timeout))
                .ContinueWith(t => new Done(run, t.IsCompletedSuccessfully
                        ? t.Result
                        : new HookResult(false, t.Exception?.GetBaseException().Message ?? "cancelled")), TaskScheduler.Default)
                .PipeTo(Self);

        void Run(string @event, string vip, long epoch, string reason)
        {
            var run = new HookRun(@event, vip, epoch, self, interfaceOf(vip), reason);
            if (_queued.TryGetValue(vip, out var queue))
            {
                queue.Enqueue(run);
                return;
            }
            _queued[vip] = new Queue<HookRun>();
            Start(run);
        }

        Receive<VipAcquired>(a =>
        {
            if (a.Node.Value != self) return;
            _held[a.Vip] = a.Epoch;
            Run(HookRun.Acquired, a.Vip, a.Epoch, "");
        });
        Receive<VipReleased>(r =>
        {
            if (r.Node.Value != self) return;
            _held.Remove(r.Vip);
            Run(HookRun.Released, r.Vip, r.Epoch, r.Reason);
        });
        Receive<LinkObserved>(l =>
        {
            // Once per loss of a link, for each VIP held on it at that moment (the node then hands them over: released follows).
            if (l.CanServe)
            {
                _linkFaults.Remove(l.Interface);
                return;
            }
            if (!_linkFaults.Add(l.Interface)) return;
            foreach (var (vip, epoch) in _held.Where(h => interfaceOf(h.Key) == l.Interface).ToList()) Run(HookRun.Fault, vip, epoch, $"link: {l.Reason}");
        });
        Receive<FenceObserved>(f =>
        {
            // Once per outage of the kernel fence, for every VIP held at that moment: the fence guards them all, and the
            // node hands every one over (NodeAgent.OnFenceFailed; released follows).
            if (f.Ok)
            {
                _fenceFault = false;
                return;
            }
            if (_fenceFault) return;
            _fenceFault = true;
            foreach (var (vip, epoch) in _held.ToList()) Run(HookRun.Fault, vip, epoch, $"fence: {f.Reason}");
        });
        // Only for a VIP held here: a node whose checks fail for a VIP another node holds has nothing to hand over.
        Receive<HookFault>(f =>
        {
            if (_held.TryGetValue(f.Vip, out var epoch)) Run(HookRun.Fault, f.Vip, epoch, f.Reason);
        });
        Receive<Done>(d =>
        {
            if (_queued.TryGetValue(d.Run.Vip, out var queue) && queue.TryDequeue(out var next)) Start(next);
            else _queued.Remove(d.Run.Vip);
            if (d.Result.Ok)
            {
                _log.Info("notify hook ran event={0} vip={1} epoch={2}: {3}", d.Run.Event, d.Run.Vip, d.Run.Epoch, d.Result.Detail);
                return;
            }
            _log.Warning("notify hook failed event={0} vip={1} epoch={2}: {3}", d.Run.Event, d.Run.Vip, d.Run.Epoch, d.Result.Detail);
            Context.System.EventStream.Publish(new HookFailed(d.Run.Vip, d.Run.Event));
        });
    }

    public static Props Props(NotifySettings settings, IHookRunner runner, string self, Func<string, string> interfaceOf) =>
        Akka.Actor.Props.Create(() => new NotifyActor(settings, runner, self, interfaceOf));

    protected override void PreStart()
    {
        foreach (var type in new[] { typeof(VipAcquired), typeof(VipReleased), typeof(LinkObserved), typeof(FenceObserved), typeof(HookFault) })
            Context.System.EventStream.Subscribe(Self, type);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
