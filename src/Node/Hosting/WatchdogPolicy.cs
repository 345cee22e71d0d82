using System.Globalization;

namespace ActorVip.Node.Hosting;

/// <summary>What the service watchdog saw in one probe of the node.</summary>
/// <param name="Ready">READY=1 was sent (the node joined the cluster).</param>
/// <param name="Stopping">A stop began (STOPPING=1 was sent).</param>
/// <param name="SystemTerminated">The actor system is gone.</param>
/// <param name="PingRoundTrip">How long the node agent took to answer a ping; null when it did not answer in time.</param>
public sealed record NodeHealth(bool Ready, bool Stopping, bool SystemTerminated, TimeSpan? PingRoundTrip);

/// <summary>
/// When to tell systemd WATCHDOG=1: only while the node is healthy, so that a hung or half-dead process
/// (actor system gone, agent stuck) stops petting and systemd restarts it.
/// </summary>
public static class WatchdogPolicy
{
    /// <summary>How long the agent may take to answer a ping: longer means it is stuck (its lease renewals run every renew-interval, 250 ms by
    /// default).</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    public static bool ShouldNotify(NodeHealth health) =>
        health is { Ready: true, Stopping: false, SystemTerminated: false, PingRoundTrip: { } rtt } && rtt <= PingTimeout;

    /// <summary>
    /// Half of WATCHDOG_USEC (as sd_watchdog_enabled(3) advises), when systemd asked for a watchdog and
    /// WATCHDOG_PID, if set, is this process; otherwise null (no watchdog).
    /// </summary>
    public static TimeSpan? Interval(string? watchdogUsec, string? watchdogPid, int ownPid)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0) return null;
        if (!string.IsNullOrEmpty(watchdogPid) &&
            (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != ownPid)) return null;
        return TimeSpan.FromMicroseconds(usec / 2.0);
    }
}
