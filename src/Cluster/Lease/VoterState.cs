namespace ActorVip.Ownership;

/// <summary>
/// The voter's side of the quorum lease, one per node, for every VIP: it acks a renewal only when that binds it to
/// nothing it promised before, and by acking promises the VIP to that owner and epoch for lease-time + margin from
/// the moment it RECEIVED the renewal. Pure: the caller supplies a monotonic <c>now</c> and sends the answer back.
/// </summary>
public sealed class VoterState
{
    private readonly LeaseSettings _settings;
    private readonly LeaseFingerprint? _fingerprint;
    private readonly TimeSpan _quietUntil;
    private readonly Dictionary<string, VipRecord> _vips = new(StringComparer.Ordinal);

    /// <param name="startedAt">When this voter (process) started: it acks nobody for lease-time + margin after it.</param>
    /// <param name="fingerprint">This node's voters and timings; renewals that carry another are refused. Null: none checked.</param>
    public VoterState(LeaseSettings settings, TimeSpan startedAt, LeaseFingerprint? fingerprint = null)
    {
        _settings = settings;
        _fingerprint = fingerprint;
        _quietUntil = startedAt + settings.PromiseTime;
    }

    /// <summary>True while the voter still refuses everyone after a start.</summary>
    public bool IsQuiet(TimeSpan now) => now < _quietUntil;

    /// <summary>
    /// Answers a renewal of <paramref name="vip"/> by <paramref name="owner"/> for <paramref name="epoch"/>, which carried
    /// the owner's <paramref name="fingerprint"/> digest (null from a node of a version before it: decided as before).
    /// </summary>
    public Vote OnRenew(string vip, NodeId owner, long epoch, TimeSpan now, long? fingerprint = null)
    {
        // First, before anything is recorded: an owner with other voters, N or timings would count this ack toward a
        // majority or a lease this voter does not share (two majorities while a master is replaced, a lease longer
        // than the promise during a rolling change of lease-time). Nor may its epoch make a rightful owner give up.
        if (fingerprint is { } theirs && _fingerprint is { } ours && theirs != ours.Digest)
            return Vote.Nack(NackReason.SettingsDiffer, null, _vips.TryGetValue(vip, out var known) ? known.HighestEpoch : 0);
        var record = Record(vip);
        if (epoch < record.HighestEpoch)
            return Vote.Nack(NackReason.StaleEpoch, record.HighestEpochOwner, record.HighestEpoch);
        if (record.ReleasedBy == owner && epoch <= record.ReleasedEpoch && now < record.ReleasedUntil)
            return Vote.Nack(NackReason.Released, owner, record.HighestEpoch);
        // Remembering a higher epoch never binds the voter to anything, so it is safe even while quiet or promised.
        record.See(owner, epoch);
        if (IsQuiet(now))
            return Vote.Nack(NackReason.Restarting, null, record.HighestEpoch);
        if (record.PromisedTo is { } promised && promised != owner && now < record.PromiseExpires)
            return Vote.Nack(NackReason.PromisedToOther, promised, record.HighestEpoch);
        record.PromisedTo = owner;
        record.PromisedEpoch = epoch;
        record.PromiseExpires = now + _settings.PromiseTime;
        return Vote.Ack;
    }

    /// <summary>
    /// The owner has dropped the VIP for this epoch: the promise to it ends now, so the next owner is acked at once.
    /// A release by anyone else than the promised owner and epoch leaves the promise alone.
    /// </summary>
    public void OnRelease(string vip, NodeId owner, long epoch, TimeSpan now)
    {
        var record = Record(vip);
        if (record.PromisedTo == owner && record.PromisedEpoch == epoch)
            record.PromisedTo = null;
        // A late renewal of the released epoch, overtaken by the release, must not bind the voter again; after a
        // promise-time no late renewal is left to fear, and a restarted owner placed again at that epoch is acked.
        if (record.ReleasedBy != owner || epoch >= record.ReleasedEpoch)
        {
            record.ReleasedBy = owner;
            record.ReleasedEpoch = epoch;
            record.ReleasedUntil = now + _settings.PromiseTime;
        }
    }

    /// <summary>Per VIP: the unexpired promise (if any) and the highest epoch seen, ordered by VIP; <paramref name="self"/> names this voter.</summary>
    public VoterPromises Snapshot(NodeId self, TimeSpan now) => new(self, _vips
        .OrderBy(kv => kv.Key, StringComparer.Ordinal)
        .Select(kv =>
        {
            var r = kv.Value;
            var live = r.PromisedTo is not null && now < r.PromiseExpires;
            return new PromiseInfo(kv.Key, live ? r.PromisedTo : null, live ? r.PromisedEpoch : 0,
                live ? r.PromiseExpires - now : TimeSpan.Zero, r.HighestEpoch, r.HighestEpochOwner);
        })
        .ToList());

    private VipRecord Record(string vip)
    {
        if (!_vips.TryGetValue(vip, out var record))
            _vips[vip] = record = new VipRecord();
        return record;
    }

    private sealed class VipRecord
    {
        public long HighestEpoch;
        public NodeId? HighestEpochOwner;
        public NodeId? PromisedTo;
        public long PromisedEpoch;
        public TimeSpan PromiseExpires;
        public NodeId? ReleasedBy;
        public long ReleasedEpoch;
        public TimeSpan ReleasedUntil;

        public void See(NodeId owner, long epoch)
        {
            if (epoch <= HighestEpoch && HighestEpochOwner is not null)
                return;
            HighestEpoch = epoch;
            HighestEpochOwner = owner;
        }
    }
}
