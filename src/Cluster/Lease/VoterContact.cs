namespace ActorVip.Ownership;

/// <summary>
/// Which voters answered the allocator lately: the voters its presence renewals reach and whose answers come back,
/// so two-way connected whatever Akka's membership says. The allocator places VIPs only while a majority of the voters
/// is with it, and counts that here rather than in the membership, which is wrong both ways during a fault: an
/// allocator cut off in a minority sees every member reachable until the failure detector acts, and moved the VIPs of
/// owners beyond the cut (its Revokes reached them after the heal: 838 ms dark in the nemesis); a node the split brain
/// resolver removed is a voter again at once but a member only once the old incarnation is removed, which waits for
/// convergence, so for every other fault to heal (6.2 s dark in the nemesis when the owner lost its outbound link
/// meanwhile). Both in docs/DESIGN.md, "The quorum lease", step 2.
/// <para>
/// The window is <see cref="LeaseSettings.RenewInterval"/> x 2: shorter than a lease, so an allocator cut off on a
/// minority side has stopped counting the voters it lost before it can call the majority side's owners stale (their
/// promises at its own voter run out a lease-time after the cut) and place their VIPs where no lease can be had.
/// </para>
/// </summary>
public sealed class VoterContact(LeaseSettings settings)
{
    private readonly Dictionary<NodeId, TimeSpan> _answeredAt = new();

    private TimeSpan Window => settings.RenewInterval * 2;

    /// <summary>A voter answered (ack or refusal: either came back) at <paramref name="now"/>.</summary>
    public void Answered(NodeId voter, TimeSpan now) => _answeredAt[voter] = now;

    /// <summary>How many voters answered within the window before <paramref name="now"/>.</summary>
    public int Connected(TimeSpan now) => _answeredAt.Values.Count(at => now - at <= Window);

    /// <summary>
    /// Whether this voter answered within the window before <paramref name="now"/>. A voter's node that did not is no
    /// place to move a VIP to, whatever the membership says: a node killed a moment ago is still Up and reachable until
    /// the failure detector acts, and a VIP handed to it is dark until the allocator sees it never took the lease
    /// (1.2 s in the nemesis, twice in a row: a new allocator moving the VIP off its own node to a node just killed).
    /// </summary>
    public bool Reaches(NodeId voter, TimeSpan now) => _answeredAt.TryGetValue(voter, out var at) && now - at <= Window;
}
