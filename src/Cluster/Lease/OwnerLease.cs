namespace ActorVip.Ownership;

/// <summary>
/// The owner's side of the quorum lease for one VIP and one epoch: which renewals were sent when, which voters
/// acked them, and so until when the owner may hold the VIP. Pure: the caller supplies a monotonic <c>now</c>,
/// sends the renewals, routes the answers for this epoch here and drops the VIP when <see cref="IsValid"/> turns false.
/// </summary>
/// <remarks>
/// The owner counts itself only through its own local voter's ack (it sends Renew to that voter too), so the
/// restart quiet period and the promise rules apply to its own vote like to any other. Renewal ids are the send
/// time in ticks (bumped to stay strictly increasing): an ack that reaches a later incarnation of this lease on the
/// same host still names a renewal sent no later than the one it is matched with, or matches none.
/// </remarks>
public sealed class OwnerLease
{
    private readonly LeaseSettings _settings;
    // The voters in a fixed order: a voter is a bit of a mask (at most LeaseSettings.MaxVoters of them). An owner of 1,000 VIPs
    // renews each 4 times a second, and a set object per renewal and per quorum was most of what its idle loop allocated.
    private readonly NodeId[] _voters;
    // The renewals not yet acked by a majority, oldest first (ids strictly increase): a few, those sent within lease-time.
    private readonly List<Renewal> _pending = new(4);
    private long _lastRenewalId = long.MinValue;
    private TimeSpan _lastSentAt = TimeSpan.MinValue;
    private long _lastExtendingId = long.MinValue;
    // The voters whose acks made the last majority (a mask over _voters); 0 before the first one.
    private int _quorum;
    private bool _askAll = true;

    /// <param name="voters">The configured voters (exactly N of them); acks from anyone else are ignored.</param>
    public OwnerLease(LeaseSettings settings, long epoch, IEnumerable<NodeId> voters)
    {
        _settings = settings;
        Epoch = epoch;
        _voters = voters.Distinct().ToArray();
        if (_voters.Length != settings.Voters)
            throw new ArgumentException(
                $"The lease was given {_voters.Length} distinct voters but the settings say {settings.Voters}; the voter list and the voter count must agree.",
                nameof(voters));
    }

    public long Epoch { get; }

    /// <summary>True once the owner gave up (higher epoch seen) or released; the lease never becomes valid again.</summary>
    public bool IsEnded { get; private set; }

    /// <summary>
    /// The send time of the newest renewal a majority acked, plus lease-time; null when none was (or the lease ended).
    /// </summary>
    public TimeSpan? ValidUntil { get; private set; }

    /// <summary>Renewals remembered for their acks: those sent within the last lease-time (tests watch the bound).</summary>
    internal int PendingCount => _pending.Count;

    public bool IsValid(TimeSpan now) => ValidUntil is { } until && now < until;

    /// <summary>How long the owner may still hold the VIP (zero when not valid); the kernel fence's timeout.</summary>
    public TimeSpan Remaining(TimeSpan now) => IsValid(now) ? ValidUntil!.Value - now : TimeSpan.Zero;

    /// <summary>
    /// Whether the renewal just started (<see cref="NextRenewal(TimeSpan)"/>) asks <paramref name="voter"/> for an ack. Every voter
    /// gets every renewal and keeps its promise fresh, but a majority of acks is all the lease needs: the voters whose
    /// acks made the last majority (the owner's own voter and the fastest others) are asked again, and everyone is
    /// asked while the lease is not valid or when the renewal before this one did not reach a majority. An un-asked
    /// voter's promise is simply not counted, so this changes what the owner knows, never what it may assume.
    /// </summary>
    public bool WantsAckFrom(NodeId voter) => _askAll || (_quorum & Bit(voter)) != 0;

    /// <summary>
    /// Starts a renewal sent at <paramref name="now"/>: returns its id, to be carried by the Renew message and
    /// echoed by the voters. Forgets renewals that can no longer extend the lease.
    /// </summary>
    public long NextRenewal(TimeSpan now) => NextRenewal(now, _lastRenewalId == long.MinValue ? now.Ticks : Math.Max(_lastRenewalId + 1, now.Ticks));

    /// <summary>
    /// Starts a renewal sent at <paramref name="now"/> under an id the caller chose: one id shared by every lease of one
    /// owner's batch (RenewBatch). It must keep what this lease's own ids guarantee (see the remarks): no less than
    /// <paramref name="now"/> in ticks, so that an id never names a time before its send, and above every id this lease
    /// used, so that an ack matches exactly one renewal. An owner that takes each batch's id as the send time in ticks,
    /// bumped above its previous batch's, meets both for all of its leases at once (NodeAgent).
    /// </summary>
    public long NextRenewal(TimeSpan now, long id)
    {
        if (IsEnded)
            throw new InvalidOperationException($"The lease for epoch {Epoch} has ended; start a new one for a new epoch.");
        if (now < _lastSentAt)
            throw new ArgumentException($"Time went backwards ({now} < {_lastSentAt}); pass a monotonic clock.", nameof(now));
        if (id < now.Ticks || id <= _lastRenewalId)
            throw new ArgumentException(
                $"Renewal id {id} must be at least the send time ({now.Ticks} ticks) and above this lease's last ({_lastRenewalId}); " +
                "take the send time in ticks, bumped above the previous id.", nameof(id));
        Prune(now);
        _askAll = _quorum == 0 || !IsValid(now) || _lastExtendingId != _lastRenewalId;
        _lastRenewalId = id;
        _lastSentAt = now;
        _pending.Add(new Renewal(id, now, 0));
        return id;
    }

    /// <summary>
    /// Records a voter's ack of a renewal. Duplicate acks, acks from non-voters and acks of unknown or forgotten
    /// renewals are ignored. The caller filters by epoch. Returns true when this ack made the lease last longer.
    /// </summary>
    public bool OnAck(long renewalId, NodeId voter)
    {
        var bit = Bit(voter);
        var index = IsEnded || bit == 0 ? -1 : IndexOf(renewalId);
        if (index < 0)
            return false;
        var renewal = _pending[index];
        if ((renewal.AckedBy & bit) != 0)
            return false;
        renewal = renewal with { AckedBy = renewal.AckedBy | bit };
        _pending[index] = renewal;
        if (System.Numerics.BitOperations.PopCount((uint)renewal.AckedBy) < _settings.Majority)
            return false;
        var until = renewal.SentAt + _settings.LeaseTime;
        if (renewalId > _lastExtendingId)
        {
            _lastExtendingId = renewalId;
            _quorum = renewal.AckedBy;
        }
        // This renewal and every older one are of no further use: a newer renewal can only extend further.
        _pending.RemoveRange(0, index + 1);
        if (ValidUntil is { } current && current >= until)
            return false;
        ValidUntil = until;
        return true;
    }

    /// <summary>
    /// Records a voter's refusal. Returns true when the owner must give up now: the voter knows a higher epoch for
    /// this VIP, so it was placed elsewhere (the lease ends). Any other refusal just does not count as an ack.
    /// </summary>
    public bool OnNack(long renewalId, NodeId voter, NackReason reason, long? knownEpoch)
    {
        _ = renewalId;
        _ = voter;
        if (IsEnded)
            return false;
        // Knowledge of a higher epoch is true whichever renewal it came with, and giving up is always safe.
        if (reason is NackReason.StaleEpoch or NackReason.PromisedToOther && knownEpoch > Epoch)
        {
            End();
            return true;
        }
        return false;
    }

    /// <summary>Ends the lease at once (graceful release or give-up): the caller drops the VIP, then tells the voters.</summary>
    public void End()
    {
        IsEnded = true;
        ValidUntil = null;
        _pending.Clear();
    }

    private void Prune(TimeSpan now)
    {
        var expired = 0;
        while (expired < _pending.Count && _pending[expired].SentAt + _settings.LeaseTime <= now)
            expired++;
        _pending.RemoveRange(0, expired);
    }

    /// <summary>The voter's bit in the masks, 0 for a node that is not a voter.</summary>
    private int Bit(NodeId voter)
    {
        for (var i = 0; i < _voters.Length; i++)
        {
            if (_voters[i] == voter) return 1 << i;
        }
        return 0;
    }

    private int IndexOf(long renewalId)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].Id == renewalId) return i;
        }
        return -1;
    }

    /// <summary>A renewal sent and not yet acked by a majority: the voters that acked it, a bit each.</summary>
    private readonly record struct Renewal(long Id, TimeSpan SentAt, int AckedBy);
}
