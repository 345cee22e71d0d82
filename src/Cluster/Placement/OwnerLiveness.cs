namespace ActorVip.Ownership;

/// <summary>
/// Tells the allocator which owners stopped renewing, from its own node's voter, so that a crashed owner's
/// VIPs move as soon as that voter's promise runs out (lease-time + margin after the last renewal) instead
/// of when the failure detector marks the node unreachable, which takes longer.
/// Pure: the caller passes the local voter's snapshots and a monotonic <c>now</c>.
/// </summary>
public sealed class OwnerLiveness(LeaseSettings settings)
{
    private readonly Dictionary<string, (NodeId Owner, TimeSpan LiveUntil)> _vips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (NodeId Owner, long Epoch, TimeSpan Until)> _promised = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a newly placed owner has to get the local voter's promise: the old owner's promise may
    /// take lease-time + margin to run out, then a renewal or two.
    /// </summary>
    public TimeSpan AcquireGrace => settings.PromiseTime + settings.RenewInterval * 2;

    /// <summary>Keeps track of the current assignments; a new owner starts with <see cref="AcquireGrace"/>.</summary>
    public void Track(IReadOnlyDictionary<string, Assignment> assignments, TimeSpan now)
    {
        foreach (var vip in _vips.Keys.Where(v => !assignments.TryGetValue(v, out var a) || a.Owner is null).ToList())
            _vips.Remove(vip);
        foreach (var (vip, assignment) in assignments)
        {
            if (assignment.Owner is not { } owner) continue;
            if (!_vips.TryGetValue(vip, out var known) || known.Owner != owner)
                _vips[vip] = (owner, now + AcquireGrace);
        }
    }

    /// <summary>A live promise of the local voter to the assigned owner extends that owner's liveness to the promise's end.</summary>
    public void OnLocalSnapshot(VoterPromises snapshot, TimeSpan now)
    {
        foreach (var record in snapshot.Promises)
        {
            if (record.PromisedTo is not { } promised || record.PromiseRemaining <= TimeSpan.Zero) continue;
            var until = now + record.PromiseRemaining;
            _promised[record.Vip] = (promised, record.PromisedEpoch, until);
            if (!_vips.TryGetValue(record.Vip, out var known) || known.Owner != promised) continue;
            if (until > known.LiveUntil) _vips[record.Vip] = (promised, until);
        }
    }

    /// <summary>
    /// How long an owner counts as live once the allocator's node is back with a majority: stale means unheard by the local
    /// voter for as long as a promise lasts, and that clock starts again at the reconnection.
    /// </summary>
    public TimeSpan ReconnectGrace => settings.PromiseTime;

    /// <summary>
    /// The allocator's node is in contact with a majority of the voters again, after a time cut off: the local voter could
    /// not hear owners on the far side, so its silence says nothing about them. Every tracked owner counts as live for
    /// <see cref="ReconnectGrace"/> from <paramref name="now"/>: one that renews with the majority is heard by then and stays,
    /// one that does not goes stale then, that much later than it would have. A longer liveness is kept.
    /// </summary>
    public void Reconnected(TimeSpan now)
    {
        var until = now + ReconnectGrace;
        foreach (var (vip, known) in _vips.ToList())
            if (known.LiveUntil < until) _vips[vip] = (known.Owner, until);
    }

    /// <summary>
    /// Whether the assigned owner renews this very assignment (owner and epoch) with the local voter: it has the
    /// assignment, so sending it again would tell it nothing.
    /// </summary>
    public bool Confirms(string vip, Assignment assignment, TimeSpan now) =>
        _promised.TryGetValue(vip, out var p) && p.Owner == assignment.Owner && p.Epoch == assignment.Epoch && now < p.Until;

    /// <summary>Owners that have not renewed with the local voter for longer than the promise lasts.</summary>
    public IReadOnlySet<NodeId> Stale(TimeSpan now) =>
        _vips.Values.Where(v => now >= v.LiveUntil).Select(v => v.Owner).ToHashSet();

    /// <summary>
    /// The next moment an owner live now may go stale (its liveness ends), or null if none is live: the allocator need
    /// not look before then, since until then only a message can change what it decides.
    /// </summary>
    public TimeSpan? NextExpiry(TimeSpan now) =>
        _vips.Values.Where(v => v.LiveUntil > now).Select(v => (TimeSpan?)v.LiveUntil).Min();

    /// <summary>Owners whose every VIP is still live at the local voter (renewed, or newly placed and within <see cref="AcquireGrace"/>).</summary>
    public IReadOnlySet<NodeId> Renewing(TimeSpan now)
    {
        var stale = Stale(now);
        return _vips.Values.Select(v => v.Owner).Where(o => !stale.Contains(o)).ToHashSet();
    }
}
