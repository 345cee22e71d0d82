using ActorVip.Node.Observability;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// The agent's side of a kernel fence it cannot keep (issue 14): the fence guards every VIP, so a fence that can be neither
/// refreshed nor installed again (<see cref="KernelRefresh.Fences"/>) makes the whole node ineligible, as a VIP interface that
/// is down makes its VIPs ineligible. Holding on would renew leases whose VIPs go dark as their elements time out, and no
/// other node may serve them meanwhile: a silent outage that lasts.
/// </summary>
public sealed partial class NodeAgent
{
    /// <summary>From <see cref="FlushKernelWork"/>: the fence refresh and its repair both failed, and why.</summary>
    private sealed record FenceFailed(string Reason);

    /// <summary>Why the kernel fence is broken, while it is: no VIP is held or acquired here until it installs again.</summary>
    private string? _fenceBroken;

    /// <summary>
    /// Says so to the allocator first (its decision on the Released messages then leaves this node out), then hands every VIP
    /// over the graceful way, so that another node serves them within about a lease instead of never; the install is retried
    /// every <see cref="EligibilityResend"/> (<see cref="RetryFence"/>).
    /// </summary>
    private void OnFenceFailed(string reason)
    {
        if (_fenceBroken == reason) return;
        var first = _fenceBroken is null;
        _fenceBroken = reason;
        Context.System.EventStream.Publish(new FenceObserved(false, reason));
        if (!first) return; // the same outage in other words: every VIP was handed over already
        _log.Error("this node cannot hold VIPs: {0}; handing its VIPs over and installing the fence again every {1} s node={2} holding={3}",
            reason, EligibilityResend.TotalSeconds, _self, _placed.Count);
        TellEligibility();
        if (!Timers.IsTimerActive("eligibility")) Timers.StartPeriodicTimer("eligibility", EligibilityTick.Instance, EligibilityResend);
        foreach (var (vip, placed) in _placed.ToList()) GiveUp(vip, placed, reason);
    }

    /// <summary>While the fence is broken: installs it again; once that works, the node may hold VIPs again (the tick then says so).</summary>
    private void RetryFence()
    {
        if (_fenceBroken is null) return;
        if (_refresh.Reinstall() is { } still)
        {
            if (still != _fenceBroken) OnFenceFailed(still);
            return;
        }
        _fenceBroken = null;
        _log.Info("the kernel fence is installed again: this node can hold VIPs again node={0}", _self);
        Context.System.EventStream.Publish(new FenceObserved(true, "the kernel fence is installed"));
        if (_down.Count == 0) Timers.Cancel("eligibility");
    }
}
