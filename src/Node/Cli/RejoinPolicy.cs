namespace ActorVip.Node.Cli;

/// <summary>
/// How often a node removed from the cluster joins again in the same process (keeping its votes) before it leaves the
/// restart to the service manager: a node downed over and over (a link that keeps failing) is better off restarted with
/// a pause between (systemd's RestartSec) than rejoining in a tight loop.
/// </summary>
public sealed class RejoinPolicy
{
    /// <summary>Rejoins allowed within <see cref="Window"/>; the next removal exits.</summary>
    public const int MaxRejoins = 3;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Queue<DateTime> _recent = new();

    /// <summary>How many times the node has rejoined within the window (after <see cref="MayRejoin"/> recorded the last).</summary>
    public int Count => _recent.Count;

    /// <summary>Whether a node removed at <paramref name="now"/> may rejoin in-process; records the rejoin when it may.</summary>
    public bool MayRejoin(DateTime now)
    {
        while (_recent.Count > 0 && now - _recent.Peek() >= Window) _recent.Dequeue();
        if (_recent.Count >= MaxRejoins) return false;
        _recent.Enqueue(now);
        return true;
    }
}
