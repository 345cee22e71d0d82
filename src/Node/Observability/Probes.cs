using ActorVip.Node.Hosting;

namespace ActorVip.Node.Observability;

/// <summary>The answer to /healthz or /readyz: 200 with <paramref name="Reason"/> when <paramref name="Ok"/>, else 503.</summary>
public sealed record ProbeVerdict(bool Ok, string Reason);

/// <summary>What /healthz and /readyz mean, decided from plain values so that tests need no HTTP and no cluster.</summary>
public static class Probes
{
    /// <summary>Alive: the actor system runs and the node agent answers a ping within the watchdog's timeout.</summary>
    public static ProbeVerdict Health(bool systemTerminated, TimeSpan? pingRoundTrip)
    {
        if (systemTerminated) return new(false, "the actor system has stopped");
        if (pingRoundTrip is not { } rtt) return new(false, $"the node agent did not answer a ping within {WatchdogPolicy.PingTimeout.TotalMilliseconds:0} ms");
        if (rtt > WatchdogPolicy.PingTimeout) return new(false, $"the node agent answered a ping after {rtt.TotalMilliseconds:0} ms (limit " +
            $"{WatchdogPolicy.PingTimeout.TotalMilliseconds:0} ms)");
        return new(true, $"ok: the node agent answered a ping in {rtt.TotalMilliseconds:0.0} ms");
    }

    /// <summary>
    /// Ready to take VIPs: this node is Up, the allocator's node is known and reachable, and a majority of the
    /// configured voters are Up and reachable (the allocator places nothing with fewer), and every VIP interface can carry
    /// its VIPs (<paramref name="linkDown"/>: why one cannot, or null when all can), and the kernel fence is not broken
    /// (<paramref name="fenceBroken"/>: why it can be neither refreshed nor installed again, or null).
    /// </summary>
    public static ProbeVerdict Readiness(ClusterView view, string? linkDown = null, string? fenceBroken = null)
    {
        if (fenceBroken is not null)
        {
            return new(false, $"{fenceBroken}: this node holds no VIP until the fence installs again (it retries every " +
                $"{Actors.NodeAgent.EligibilityResend.TotalSeconds:0} s)");
        }
        if (linkDown is not null) return new(false, $"{linkDown}: this node holds no VIP on it until it is back");
        var self = view.SelfMember;
        if (self is null) return new(false, "this node has not joined the cluster yet");
        if (self.Status != "Up") return new(false, $"this node is {self.Status}, not Up");
        if (view.Allocator is null) return new(false, "no Up member with role vip runs the allocator");
        if (view.Members.FirstOrDefault(m => m.Address == view.Allocator) is { Reachable: false })
            return new(false, $"the allocator's node {view.Allocator} is unreachable");
        var voters = view.Members.Count(m => m.Status == "Up" && m.Reachable && m.Roles.Contains("vip"));
        if (voters < view.Majority) return new(false, $"{voters} vip members are Up and reachable, fewer than the majority of {view.Majority}");
        return new(true, $"ok: Up, allocator on {view.Allocator}, {voters} vip members Up (majority {view.Majority})");
    }
}
