namespace ActorVip.Ownership;

/// <summary>
/// The allocator's record of the nodes' health reports, turned into a <see cref="BackendHealth"/> per node. A node
/// is failing only after it reported no healthy backend for <paramref name="moveAfter"/> without a healthy report in
/// between (the hysteresis that keeps a VIP from flapping); a report older than <paramref name="expiry"/> is unknown.
/// </summary>
public sealed class BackendHealthBook(TimeSpan moveAfter, TimeSpan expiry)
{
    private readonly record struct Entry(bool Healthy, TimeSpan LastReport, TimeSpan UnhealthySince);

    private readonly Dictionary<NodeId, Entry> _entries = new();

    public void Record(NodeId node, bool healthy, TimeSpan now)
    {
        var since = healthy ? now
            : _entries.TryGetValue(node, out var was) && !was.Healthy && now - was.LastReport <= expiry ? was.UnhealthySince
            : now;
        _entries[node] = new Entry(healthy, now, since);
    }

    /// <summary>
    /// The next moment a node's health changes with time alone (a report expires; unhealthy becomes failing), or null
    /// if none will: the allocator need not look before then, unless a report arrives.
    /// </summary>
    public TimeSpan? NextChange(TimeSpan now)
    {
        TimeSpan? next = null;
        foreach (var e in _entries.Values)
        {
            // A report counts up to and including expiry; it is unknown one tick later.
            Consider(e.LastReport + expiry + TimeSpan.FromTicks(1));
            if (!e.Healthy) Consider(e.UnhealthySince + moveAfter);
        }
        return next;

        void Consider(TimeSpan at)
        {
            if (at > now && (next is null || at < next)) next = at;
        }
    }

    public BackendHealth Of(NodeId node, TimeSpan now)
    {
        if (!_entries.TryGetValue(node, out var e) || now - e.LastReport > expiry) return BackendHealth.Unknown;
        if (e.Healthy) return BackendHealth.Healthy;
        return now - e.UnhealthySince >= moveAfter ? BackendHealth.Failing : BackendHealth.Unhealthy;
    }
}
