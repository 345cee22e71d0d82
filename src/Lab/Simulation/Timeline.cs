using System.Diagnostics;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// The one shared, thread-safe record of a simulation: every node's address and fence changes, every
/// fault and heal, on one monotonic clock. The single-owner checker reads nothing else.
/// </summary>
public sealed class Timeline
{
    private readonly object _gate = new();
    private readonly List<TimelineEvent> _events = new();
    private readonly long _origin;
    private readonly Func<TimeSpan>? _clock;

    public Timeline() => _origin = Stopwatch.GetTimestamp();

    /// <summary>A timeline on a given clock (tests that build timelines by hand).</summary>
    public Timeline(Func<TimeSpan> clock) => _clock = clock;

    /// <summary>Monotonic time since this timeline started.</summary>
    public TimeSpan Now => _clock?.Invoke() ?? Stopwatch.GetElapsedTime(_origin);

    /// <summary>Appends an event; <paramref name="lasting"/> (a fence timeout, an address lifetime) counts from the event's own instant.</summary>
    public TimelineEvent Record(string node, string? vip, TimelineKind kind, string detail = "", TimeSpan? lasting = null)
    {
        lock (_gate)
        {
            // Taken under the lock, so the list's order is the clock's order.
            var at = Now;
            var e = new TimelineEvent(_events.Count, at, node, vip, kind, at + lasting, detail);
            _events.Add(e);
            return e;
        }
    }

    public IReadOnlyList<TimelineEvent> Events
    {
        get
        {
            lock (_gate) return _events.ToList();
        }
    }

    /// <summary>
    /// The events without the periodic refreshes of an address or fence element that is still live: what is left
    /// are the changes (acquire, release, expiry-prone gaps), faults, heals and marks.
    /// </summary>
    public static IEnumerable<TimelineEvent> Condense(IEnumerable<TimelineEvent> events)
    {
        var live = new Dictionary<(string Node, string? Vip, TimelineKind Kind), TimeSpan?>();
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case TimelineKind.AddressAdded or TimelineKind.FenceOwned:
                    var key = (e.Node, e.Vip, e.Kind);
                    var refresh = live.TryGetValue(key, out var until) && (until is null || until > e.At);
                    live[key] = e.Until;
                    if (refresh) continue;
                    break;
                case TimelineKind.AddressRemoved:
                    live.Remove((e.Node, e.Vip, TimelineKind.AddressAdded));
                    break;
                case TimelineKind.FenceDisowned:
                    live.Remove((e.Node, e.Vip, TimelineKind.FenceOwned));
                    break;
                case TimelineKind.FenceReset:
                    foreach (var k in live.Keys.Where(k => k.Node == e.Node && k.Kind == TimelineKind.FenceOwned).ToList()) live.Remove(k);
                    break;
            }
            yield return e;
        }
    }

    /// <summary>The timeline as text, one event a line; log lines only when asked for.</summary>
    public static string Format(IEnumerable<TimelineEvent> events, bool withLogs) =>
        string.Join('\n', events.Where(e => withLogs || e.Kind != TimelineKind.Log).Select(e => e.ToString()));
}
