using Akka.Actor;
using Akka.Event;

namespace ActorVip.Ownership.Actors;

/// <summary>
/// This node's vote in the quorum lease (one per node, at /user/voter). A thin shell around
/// <see cref="VoterState"/>: every decision is made there, on the monotonic clock.
/// </summary>
public sealed class VoterActor : ReceiveActor
{
    public const string Name = "voter";

    /// <summary>Where a node's voter lives; every sender of Renew, ReleaseLease and GetPromises addresses it so.</summary>
    public static string PathOf(NodeId node) => $"{node.Value}/user/{Name}";

    private readonly VoterState _state;
    private readonly LeaseFingerprint? _fingerprint;
    private readonly NodeId _self;
    private readonly IMonotonicClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    /// <summary>The owner last acked per VIP, only to tell metrics when the promise moves (failovers).</summary>
    private readonly Dictionary<string, NodeId> _lastAcked = new(StringComparer.Ordinal);
    /// <summary>Owners already warned about as having other settings: one line each, not one per renewal.</summary>
    private readonly HashSet<NodeId> _otherSettings = new();

    /// <param name="fingerprint">This node's voters and timings (<see cref="LeaseFingerprint"/>): renewals carrying another are refused.</param>
    /// <param name="kept">
    /// The votes of this node's previous actor system in this very process (a rejoin after the cluster removed it): every
    /// promise it made is in there, so it needs no quiet period. Null for a new process, which cannot know what it
    /// promised before and so starts quiet.
    /// </param>
    public VoterActor(LeaseSettings settings, NodeId self, IMonotonicClock clock, LeaseFingerprint? fingerprint, VoterState? kept = null)
    {
        _self = self;
        _clock = clock;
        _fingerprint = fingerprint;
        // Constructed at (re)start: the quiet period protects promises this node made before it restarted.
        _state = kept ?? new VoterState(settings, clock.Now, fingerprint);
        Receive<Renew>(OnRenew);
        Receive<RenewBatch>(OnRenewBatch);
        Receive<ReleaseLease>(r => _state.OnRelease(r.Vip, r.Owner, r.Epoch, _clock.Now));
        Receive<ReleaseBatch>(b =>
        {
            var now = _clock.Now;
            foreach (var item in b.Items) _state.OnRelease(item.Vip, b.Owner, item.Epoch, now);
        });
        Receive<GetPromises>(_ => Sender.Tell(_state.Snapshot(_self, _clock.Now)));
    }

    public static Props Props(LeaseSettings settings, NodeId self, IMonotonicClock clock, LeaseFingerprint? fingerprint = null, VoterState? kept = null) =>
        Akka.Actor.Props.Create(() => new VoterActor(settings, self, clock, fingerprint, kept));

    private void OnRenew(Renew renew)
    {
        var answer = Decide(renew.Vip, renew.Epoch, renew.Owner, renew.AckWanted, renew.Fingerprint);
        if (answer is null) return;
        Sender.Tell(answer.Refusal is { } reason
            ? new RenewNack(renew.Vip, renew.Epoch, _self, renew.RenewalId, reason, answer.HighestEpoch, answer.PromisedTo, answer.VoterFingerprint)
            : new RenewAck(renew.Vip, renew.Epoch, _self, renew.RenewalId));
    }

    /// <summary>Every VIP of the batch decided as its own Renew would be; one message back with those that need an answer, if any.</summary>
    private void OnRenewBatch(RenewBatch batch)
    {
        List<RenewAnswer>? answers = null;
        foreach (var item in batch.Items)
        {
            if (Decide(item.Vip, item.Epoch, batch.Owner, item.AckWanted, batch.Fingerprint) is { } answer)
                (answers ??= new List<RenewAnswer>(batch.Items.Count)).Add(answer);
        }
        if (answers is not null) Sender.Tell(new RenewAnswers(_self, batch.RenewalId, answers));
    }

    /// <summary>Decides one renewal; returns the answer to send back, or null when it is an ack nobody asked for.</summary>
    private RenewAnswer? Decide(string vip, long epoch, NodeId owner, bool ackWanted, long? fingerprint)
    {
        var vote = _state.OnRenew(vip, owner, epoch, _clock.Now, fingerprint);
        if (vote.IsAck)
        {
            // The allocator's presence is not a VIP: its moves are no failovers.
            if (!AllocatorPresence.IsKey(vip) && (!_lastAcked.TryGetValue(vip, out var before) || before != owner))
            {
                _lastAcked[vip] = owner;
                Context.System.EventStream.Publish(new PromiseMoved(vip, epoch, before, owner));
            }
            return ackWanted ? new RenewAnswer(vip, epoch) : null;
        }
        var reason = vote.Refusal!.Value;
        if (reason == NackReason.SettingsDiffer)
        {
            if (_otherSettings.Add(owner))
                _log.Warning("refusing every lease renewal of an owner whose seeds, nodes, lease.lease-time or lease.margin differ from this " +
                    "node's (the owner's log names which); give every node the same settings (docs/OPERATIONS.md) owner={0} settings={1}",
                    owner, _fingerprint);
        }
        else if (reason != NackReason.Restarting)
        {
            _log.Debug("nack vip={0} epoch={1} owner={2} reason={3} known-epoch={4}", vip, epoch, owner, reason, vote.KnownEpoch);
        }
        // With a settings refusal the voter's own fingerprint goes back, so that the owner can name what differs.
        return new RenewAnswer(vip, epoch, reason, vote.KnownEpoch, vote.KnownOwner, reason == NackReason.SettingsDiffer ? _fingerprint?.Text : null);
    }
}
