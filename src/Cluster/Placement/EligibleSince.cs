namespace ActorVip.Ownership;

/// <summary>
/// Since when each node has been eligible without a break, as the allocator saw it at each decision: what
/// <see cref="VipSpec.PreemptDelay"/> is measured against. A node seen ineligible (down, unreachable, leaving, its link
/// lost) starts again from zero the next time it is eligible, so a flapping node never reaches the delay. Likewise per VIP:
/// a VIP a node could not hold (its own interface down, <see cref="MemberView.Unservable"/>) counts from when it could again
/// (<see cref="MemberView.ServableFor"/>), so a flapping second interface never preempts its VIPs. Pure: the allocator gives
/// it the time.
/// </summary>
public sealed class EligibleSince
{
    private readonly Dictionary<NodeId, TimeSpan> _since = new();
    /// <summary>Per node, the VIPs it could not hold at some decision: null while it cannot, then since when it can again.</summary>
    private readonly Dictionary<NodeId, Dictionary<string, TimeSpan?>> _servableSince = new();

    /// <summary>The members with <see cref="MemberView.EligibleFor"/> set as of <paramref name="now"/>; forgets the others.</summary>
    public IReadOnlyList<MemberView> Stamp(IReadOnlyList<MemberView> members, TimeSpan now)
    {
        var stamped = new List<MemberView>(members.Count);
        foreach (var member in members)
        {
            if (!member.IsEligible)
            {
                _since.Remove(member.Node);
                stamped.Add(member with { EligibleFor = TimeSpan.Zero });
                continue;
            }
            if (!_since.TryGetValue(member.Node, out var since))
                _since[member.Node] = since = now;
            stamped.Add(member with { EligibleFor = now - since, ServableFor = ServableFor(member, now) });
        }
        foreach (var gone in _since.Keys.Where(n => !members.Any(m => m.Node == n)).ToList())
            _since.Remove(gone);
        foreach (var gone in _servableSince.Keys.Where(n => !_since.ContainsKey(n)).ToList())
            _servableSince.Remove(gone);
        return stamped;
    }

    /// <summary>How long each VIP the eligible <paramref name="member"/> could not hold before has been servable again.</summary>
    private Dictionary<string, TimeSpan> ServableFor(MemberView member, TimeSpan now)
    {
        if (!_servableSince.TryGetValue(member.Node, out var vips))
        {
            if (member.Unservable.Count == 0) return [];
            _servableSince[member.Node] = vips = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        }
        foreach (var vip in member.Unservable) vips[vip] = null;
        var servable = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var (vip, since) in vips.ToList())
        {
            if (member.Unservable.Contains(vip)) continue;
            var from = since ?? now;
            vips[vip] = from;
            servable[vip] = now - from;
        }
        return servable;
    }
}
