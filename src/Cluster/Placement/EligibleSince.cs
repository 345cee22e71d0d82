namespace ActorVip.Ownership;

/// <summary>
/// Since when each node has been eligible without a break, as the allocator saw it at each decision: what
/// <see cref="VipSpec.PreemptDelay"/> is measured against. A node seen ineligible (down, unreachable, leaving, its link
/// lost) starts again from zero the next time it is eligible, so a flapping node never reaches the delay. Pure: the
/// allocator gives it the time.
/// </summary>
public sealed class EligibleSince
{
    private readonly Dictionary<NodeId, TimeSpan> _since = new();

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
            stamped.Add(member with { EligibleFor = now - since });
        }
        foreach (var gone in _since.Keys.Where(n => !members.Any(m => m.Node == n)).ToList())
            _since.Remove(gone);
        return stamped;
    }
}
