using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorVip.Ownership.Actors;

/// <summary>
/// The cluster singleton that decides which node should own each VIP (docs/DESIGN.md, "The quorum lease").
/// It first learns the live promises and highest epochs from a majority of voters, so that after it
/// moves it neither moves a held VIP nor reuses an epoch; then it re-decides on every membership
/// change and whenever time alone can change the answer: when an owner's liveness at the local voter would run
/// out (<see cref="OwnerLiveness.NextExpiry"/>), when a health report expires or a hold ends
/// (<see cref="BackendHealthBook.NextChange"/>), and every <see cref="ResendInterval"/> while an owner has not
/// confirmed its assignment (renewed it with the local voter), when it re-sends that assignment so that a lost
/// message heals by itself. It does not poll on a fixed tick: an idle allocator looks
/// about twice a second, and a crashed owner's lease is seen stale the moment it runs out.
/// It is not on the path that keeps a VIP alive: owners renew with the voters directly.
/// </summary>
public sealed class VipAllocator : ReceiveActor, IWithTimers
{
    public const string Name = "allocator";

    /// <summary>The name of each node's proxy to the singleton (<see cref="GetPlacement"/> for `actorvip status` goes through it).</summary>
    public const string ProxyName = Name + "-proxy";

    /// <summary>
    /// How often an unchanged assignment its owner has not confirmed is sent again. A change is sent at once; the
    /// re-send only repairs a message lost with a broken association, well within the
    /// <see cref="OwnerLiveness.AcquireGrace"/> a new owner gets. An owner that renews the assignment has it and is not
    /// sent it again: re-sends to owners that have it would be the largest remote traffic of an idle cluster after the
    /// renewals.
    /// </summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The earliest the allocator looks again after it just looked (a floor, so that it never spins).</summary>
    private static readonly TimeSpan MinLookInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>The latest next look when nothing waits on time (no live owner, nothing to re-send).</summary>
    private static readonly TimeSpan IdleLookInterval = TimeSpan.FromSeconds(2);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record PresenceTick
    {
        public static readonly PresenceTick Instance = new();
    }

    /// <summary>The decision <see cref="DecideSoon"/> put off: taken once for every message that asked for it meanwhile.</summary>
    private sealed record DecideTick
    {
        public static readonly DecideTick Instance = new();
    }

    /// <summary>
    /// How long a decision a message asked for without hurry waits for the rest of its burst (<see cref="DecideSoon"/>): a
    /// node handing over 200 VIPs releases them in one burst, and one decision per release re-sent every assignment each
    /// time (about 40,000 Assigns for 200 VIPs, docs/BENCHMARKS.md "Many VIPs").
    /// </summary>
    internal static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(5);

    /// <summary>The allocator's own node's VIPs as it started: what a node that declares none is taken to declare.</summary>
    private readonly IReadOnlyList<VipSpec> _vips;
    /// <summary>What each node declared it is configured for (<see cref="VipDeclaration"/>, issue 14 §5), by node.</summary>
    private readonly Dictionary<NodeId, IReadOnlyList<VipSpec>> _declarations = new();
    /// <summary>What the last decision placed: the union of the Up members' declarations (<see cref="DeclaredVips"/>).</summary>
    private IReadOnlyList<VipSpec> _placing;
    /// <summary>Declaration conflicts already warned of: one line each, not one per decision.</summary>
    private readonly HashSet<DeclarationConflict> _conflictsWarned = new();
    private readonly LeaseSettings _lease;
    private readonly IReadOnlyList<NodeId> _voters;
    private readonly TimeSpan _recoveryRetry;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<NodeId, VoterPromises> _snapshots = new();
    private readonly HashSet<NodeId> _leaving = new();
    /// <summary>
    /// Nodes that said they cannot hold VIPs (<see cref="Eligibility"/>: a VIP interface is down, or the kernel fence is broken),
    /// what they said: why (<see cref="Eligibility.Cause"/>, the words), and which VIPs (<see cref="Eligibility.WholeNode"/>: none).
    /// </summary>
    private readonly Dictionary<NodeId, Eligibility> _ineligible = new();
    private readonly BackendHealthBook _health;
    /// <summary>The nodes' health-check verdicts per VIP (issue 14 §1), and the view last decided with.</summary>
    private readonly VipHealthBook _vipHealth = new();
    private string _vipHealthSeen = "";
    private readonly OwnerLiveness _liveness;
    private readonly VoterContact _contact;
    private readonly IMonotonicClock _clock;
    private IReadOnlyDictionary<string, Assignment> _assignments = new Dictionary<string, Assignment>();
    private readonly EligibleSince _eligibleSince = new();
    private static readonly IReadOnlySet<string> NoVips = new HashSet<string>();
    /// <summary>Why each VIP is where it is: the reason of the decision that put it there (a later "kept" does not replace it).</summary>
    private readonly Dictionary<string, PlacementReason> _reasons = new(StringComparer.Ordinal);
    /// <summary>When a preferred node waiting out its preempt delay may take a VIP back (<see cref="PlacementDecision.NextPreemption"/>).</summary>
    private TimeSpan? _nextPreemption;
    private long _epochCounter;
    private TimeSpan _lastResend = TimeSpan.MinValue;
    /// <summary>The epoch this allocator renews its presence with (<see cref="AllocatorPresence"/>): above every earlier allocator's.</summary>
    private long _presenceEpoch;

    /// <summary>
    /// When the local voter last answered. Liveness is judged as of then, not as of now: a decision made between
    /// looks (on a membership change) must not call an owner stale because its liveness ran out a moment before
    /// the voter's answer that extends it has been read.
    /// </summary>
    private TimeSpan _voterSeenAt = TimeSpan.MinValue;

    public VipAllocator(IReadOnlyList<VipSpec> vips, LeaseSettings lease, IReadOnlyList<NodeId> voters, TimeSpan recoveryRetry, IMonotonicClock clock,
        TimeSpan moveAfter, TimeSpan reportExpiry)
    {
        _clock = clock;
        _health = new BackendHealthBook(moveAfter, reportExpiry);
        _liveness = new OwnerLiveness(lease);
        _contact = new VoterContact(lease);
        _vips = vips;
        _placing = vips;
        _lease = lease;
        _voters = voters;
        _recoveryRetry = recoveryRetry;
        Recovering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="recoveryRetry">How often the allocator asks the voters again while it recovers (before a majority answered).</param>
    /// <param name="moveAfter">How long a node reports no healthy backend before it counts as failing (<see cref="BackendHealthBook"/>).</param>
    /// <param name="reportExpiry">How long a health report counts; an older one is unknown.</param>
    public static Props Props(IReadOnlyList<VipSpec> vips, LeaseSettings lease, IReadOnlyList<NodeId> voters, TimeSpan recoveryRetry, IMonotonicClock clock,
        TimeSpan moveAfter, TimeSpan reportExpiry) =>
        Akka.Actor.Props.Create(() => new VipAllocator(vips, lease, voters, recoveryRetry, clock, moveAfter, reportExpiry));

    private NodeId SelfNode => new(_cluster.SelfAddress.ToString());

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("tick", Tick.Instance, _recoveryRetry);
        AskVoters();
    }


    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Recovering()
    {
        Receive<VoterPromises>(snapshot =>
        {
            if (!_voters.Contains(snapshot.Voter)) return;
            _contact.Answered(snapshot.Voter, _clock.Now);
            _snapshots[snapshot.Voter] = snapshot;
            if (_snapshots.Count < _lease.Majority) return;
            var recovered = PlacementRecovery.Recover(_snapshots.Values, _lease);
            _assignments = recovered.Assignments;
            _epochCounter = Math.Max(recovered.EpochCounter, _epochCounter);
            _log.Info("allocator recovered from {0} voters: epoch-counter={1} {2}", _snapshots.Count, _epochCounter,
                string.Join(" ", _assignments.Select(a => $"{a.Key}->{a.Value.Owner?.Value ?? "none"}@{a.Value.Epoch}")));
            _liveness.Track(_assignments, _clock.Now);
            _presenceEpoch = _snapshots.Values.Select(AllocatorPresence.Of).Max(p => p?.HighestEpoch ?? 0) + 1;
            Become(Active);
            RenewPresence();
            Timers.StartPeriodicTimer("presence", PresenceTick.Instance, _lease.RenewInterval);
            DecideNow();
        });
        Receive<Tick>(_ => AskVoters());
        Receive<GetPlacement>(_ => Sender.Tell(new PlacementReport(SelfNode,
            _placing.Select(v => new PlacementEntry(v.Vip, null, 0, PlacementReasons.Recovering)).OrderBy(e => e.Vip, StringComparer.Ordinal).ToList())));
        Receive<Leaving>(l => _leaving.Add(l.Node));
        Receive<AgentReport>(OnReport);
        Receive<VipHealthReport>(r => _vipHealth.Record(r, _clock.Now));
        Receive<Eligibility>(e => OnEligibility(e));
        Receive<VipDeclaration>(d => OnDeclaration(d));
        Receive<ClusterEvent.IClusterDomainEvent>(e =>
        {
            ForgetLeft(e);
            AskDeclaration(e);
        });
        Receive<ClusterEvent.CurrentClusterState>(AskDeclarations);
        // Nothing to place yet, but an epoch an owner learnt must not be handed out after recovery either.
        Receive<Released>(r => _epochCounter = Math.Max(_epochCounter, r.LearntEpoch));
        Receive<ReleasedBatch>(b => _epochCounter = Math.Max(_epochCounter, b.Items.Select(r => r.LearntEpoch).DefaultIfEmpty(0).Max()));
    }

    private void Active()
    {
        Receive<Tick>(_ =>
        {
            // The local voter tells whether each owner still renews; its answer triggers the decision, which sets
            // the next look. Should no answer come, look again after the resend interval all the same.
            Context.ActorSelection($"/user/{VoterActor.Name}").Tell(GetPromises.Instance, Self);
            Timers.StartSingleTimer("tick", Tick.Instance, ResendInterval);
        });
        Receive<VoterPromises>(snapshot =>
        {
            if (snapshot.Voter != SelfNode) return;
            _voterSeenAt = _clock.Now;
            _liveness.OnLocalSnapshot(snapshot, _voterSeenAt);
            // An epoch we did not know (handed out by an earlier allocator) must never be handed out again.
            var highest = snapshot.Promises.VipsOnly().Select(v => Math.Max(v.HighestEpoch, v.PromisedEpoch)).DefaultIfEmpty(0).Max();
            _epochCounter = Math.Max(_epochCounter, highest);
            AdoptClaims(snapshot);
            DecideNow();
        });
        Receive<PresenceTick>(_ => RenewPresence());
        Receive<RenewAck>(ack =>
        {
            if (AllocatorPresence.IsKey(ack.Vip)) VoterAnswered(ack.Voter);
        });
        Receive<RenewNack>(nack =>
        {
            if (!AllocatorPresence.IsKey(nack.Vip)) return;
            // Refused as stale: an allocator before this one renewed its presence at a higher epoch. Go above it.
            if (nack.Reason == NackReason.StaleEpoch && nack.HighestEpoch >= _presenceEpoch)
                _presenceEpoch = nack.HighestEpoch + 1;
            VoterAnswered(nack.Voter);
        });
        Receive<ClusterEvent.IClusterDomainEvent>(e =>
        {
            ForgetLeft(e);
            AskDeclaration(e);
            DecideNow();
        });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            AskDeclarations(state);
            DecideNow();
        });
        Receive<VipDeclaration>(d =>
        {
            if (OnDeclaration(d)) DecideNow();
        });
        Receive<Leaving>(l =>
        {
            _leaving.Add(l.Node);
            _log.Info("node={0} is leaving; placing its VIPs elsewhere", l.Node);
            DecideNow();
        });
        Receive<Released>(OnReleased);
        Receive<ReleasedBatch>(b =>
        {
            foreach (var released in b.Items) OnReleased(released);
        });
        Receive<DecideTick>(_ => DecideNow());
        Receive<GetPlacement>(_ => Sender.Tell(Report()));
        Receive<AgentReport>(OnReport);
        Receive<VipHealthReport>(r =>
        {
            // A verdict that changed decides at once: a failing owner hands over within its fall x interval and this message.
            _vipHealth.Record(r, _clock.Now);
            if (_vipHealth.View(_clock.Now).Signature() != _vipHealthSeen) DecideNow();
        });
        Receive<Eligibility>(e =>
        {
            if (OnEligibility(e)) DecideNow();
        });
    }

    /// <summary>
    /// A voter answered the presence renewal; decides at once when that completes the majority (a node back from the resolver),
    /// and looks again when the voter was out of contact (its node is a place for VIPs again).
    /// </summary>
    private void VoterAnswered(NodeId voter)
    {
        var now = _clock.Now;
        var before = _contact.Connected(now);
        var returned = !_contact.Reaches(voter, now);
        _contact.Answered(voter, now);
        if (before < _lease.Majority && _contact.Connected(now) >= _lease.Majority)
        {
            // Back from a minority: this node's voter heard no owner on the far side meanwhile, so every owner it calls stale
            // may be renewing with the majority all along: their staleness clock starts again now (the nemesis: a cut-off
            // allocator moved a VIP off a live owner at the heal, then the resolver downed its node: 930 ms dark).
            _liveness.Reconnected(now);
            DecideNow();
        }
        // A node back in contact may take VIPs again: a look (the local voter's answer, then the decision) rather than a
        // decision on a stale answer, which would call every owner unconfirmed and re-send its assignment.
        else if (returned) Context.ActorSelection($"/user/{VoterActor.Name}").Tell(GetPromises.Instance, Self);
    }

    /// <summary>Records the VIPs a node declared (<see cref="VipDeclaration"/>); true when they changed.</summary>
    private bool OnDeclaration(VipDeclaration declaration)
    {
        var specs = declaration.Vips.Select(VipSpecs.FromDeclared).ToList();
        if (_declarations.TryGetValue(declaration.Node, out var known) && known.Count == specs.Count &&
            known.Zip(specs).All(p => DeclaredVips.SamePlacement(p.First, p.Second))) return false;
        _declarations[declaration.Node] = specs;
        _lastMerge = null;
        _log.Info("node={0} declares {1} VIPs", declaration.Node, specs.Count);
        return true;
    }

    /// <summary>
    /// Asks every agent of the cluster for its declaration: at this allocator's start (the snapshot of the cluster), so that it
    /// places a VIP only where it is configured. A node before declarations does not answer, and is taken to declare our list.
    /// </summary>
    private void AskDeclarations(ClusterEvent.CurrentClusterState state)
    {
        foreach (var member in state.Members.Where(m => m.HasRole("vip")))
            Agent(new NodeId(member.Address.ToString())).Tell(GetDeclaration.Instance, Self);
    }

    /// <summary>A member that came Up declares its VIPs when asked (it also does at its own start, which may have reached nobody).</summary>
    private void AskDeclaration(ClusterEvent.IClusterDomainEvent e)
    {
        if (e is ClusterEvent.MemberUp up && up.Member.HasRole("vip")) Agent(new NodeId(up.Member.Address.ToString())).Tell(GetDeclaration.Instance, Self);
    }

    /// <summary>Records whether a node can hold VIPs; true when that changed (re-sent reports change nothing).</summary>
    private bool OnEligibility(Eligibility e)
    {
        if (e.Eligible ? !_ineligible.Remove(e.Node) : _ineligible.TryGetValue(e.Node, out var known) && known == e) return false;
        if (e.Eligible)
        {
            _log.Info("node={0} can hold VIPs again: {1}", e.Node, e.Reason);
        }
        else
        {
            _ineligible[e.Node] = e;
            if (e is { WholeNode: false, Vips: { } some })
                _log.Info("node={0} cannot hold vips={1}: {2}; placing them elsewhere", e.Node, string.Join(",", some), e.Reason);
            else
                _log.Info("node={0} cannot hold VIPs: {1}; placing its VIPs elsewhere", e.Node, e.Reason);
        }
        return true;
    }

    /// <summary>
    /// An owner dropped its VIP. When it dropped exactly what it is assigned, the assignment is taken back so that the
    /// decision places the VIP again (on the same node too, if it is still the best) at a new epoch, above the one the
    /// owner learnt from a voter's refusal: the same epoch would be refused again (a released epoch, or a higher one
    /// known), and the owner would give up and be re-assigned in a loop (issue 13 §2.4).
    /// </summary>
    private void OnReleased(Released released)
    {
        _epochCounter = Math.Max(_epochCounter, released.LearntEpoch);
        if (_assignments.TryGetValue(released.Vip, out var assigned) && assigned.Owner == released.Owner && assigned.Epoch == released.Epoch)
        {
            _log.Info("owner released vip={0} epoch={1} node={2} learnt-epoch={3}; placing it again above epoch {4}",
                released.Vip, released.Epoch, released.Owner, released.LearntEpoch, _epochCounter);
            _assignments = new Dictionary<string, Assignment>(_assignments) { [released.Vip] = assigned with { Owner = null } };
        }
        DecideSoon();
    }

    /// <summary>
    /// Decides once <see cref="CoalesceWindow"/> has passed, for every message that asks meanwhile: for what comes in bursts
    /// and waits on no failover (releases). A failover (membership, reachability, a node that cannot serve, an owner's
    /// lease running out) decides at once (<see cref="DecideNow"/>), which also takes the pending decision with it.
    /// </summary>
    private void DecideSoon()
    {
        if (!Timers.IsTimerActive("decide")) Timers.StartSingleTimer("decide", DecideTick.Instance, CoalesceWindow);
    }

    /// <summary>
    /// Tells every voter that an allocator is alive, as an owner renews a VIP: each node's deputy reads its own voter's
    /// promise to know (<see cref="DeputyAllocator"/>). The answers tell which voters are with this allocator
    /// (<see cref="VoterContact"/>); of the refusals (another allocator's presence not yet run out, a restarting voter)
    /// only a stale epoch needs more: it is passed (the RenewNack handler).
    /// </summary>
    private void RenewPresence()
    {
        var id = _clock.Now.Ticks;
        foreach (var voter in _voters)
            Context.ActorSelection(VoterActor.PathOf(voter)).Tell(new Renew(AllocatorPresence.Key, _presenceEpoch, SelfNode, id), Self);
    }

    /// <summary>
    /// Takes over what a deputy (or an earlier allocator) placed while this one did not reach the voters
    /// (<see cref="DeputyPlacement.Adoptions"/>): the node then keeps the VIP like any owner, unless the placement rules
    /// move it; the assigned owner, if it still renews, is refused as stale by the voters and gives up by itself.
    /// </summary>
    private void AdoptClaims(VoterPromises local)
    {
        var adoptions = DeputyPlacement.Adoptions(_assignments, local, _placing);
        if (adoptions.Count == 0) return;
        var assignments = new Dictionary<string, Assignment>(_assignments);
        foreach (var (vip, was, now) in adoptions)
        {
            _log.Info("adopting vip={0} epoch={1} node={2}: placed while no allocator reached it (was {3}@{4})", vip, now.Epoch, now.Owner,
                was.Owner?.Value ?? "none", was.Epoch);
            assignments[vip] = now;
            _epochCounter = Math.Max(_epochCounter, now.Epoch);
        }
        _assignments = assignments;
        _liveness.Track(_assignments, _clock.Now);
    }

    /// <summary>
    /// A node that said <see cref="Leaving"/> is forgotten once it is removed (or a new incarnation joins at its address):
    /// the same address comes back after a restart, and a long-lived allocator that still counted it as leaving would
    /// never place a VIP there again, nor count it toward the majority (a 5-node rolling restart left the VIP unplaced).
    /// Likewise an ineligible node: a new incarnation says again if its link is still down.
    /// </summary>
    private void ForgetLeft(ClusterEvent.IClusterDomainEvent e)
    {
        if (e is ClusterEvent.MemberRemoved or ClusterEvent.MemberJoined && e is ClusterEvent.MemberStatusChange change)
        {
            var node = new NodeId(change.Member.Address.ToString());
            _leaving.Remove(node);
            _ineligible.Remove(node);
            if (_declarations.Remove(node)) _lastMerge = null;
        }
    }

    private void OnReport(AgentReport report) => _health.Record(report.Node, report.BackendHealthy, _clock.Now);

    private void AskVoters()
    {
        foreach (var voter in _voters)
            Context.ActorSelection(VoterActor.PathOf(voter)).Tell(GetPromises.Instance, Self);
    }

    private void DecideNow()
    {
        Timers.Cancel("decide");
        var state = _cluster.State;
        var now = _clock.Now;
        var up = state.Members.Where(m => m.HasRole("vip") && m.Status == MemberStatus.Up).Select(m => new NodeId(m.Address.ToString()));
        var declared = Declared(up.ToArray());
        foreach (var conflict in declared.Conflicts.Where(_conflictsWarned.Add))
            _log.Warning("vip={0} is declared differently by node={1} and node={2}: placing it as {1} declares it (the allocator's own node first, " +
                "then the voters in their configured order); give it the same preference, preempt and health settings on every node", conflict.Vip,
                conflict.Winner, conflict.Other);
        _placing = declared.Specs;
        var stale = _liveness.Stale(_voterSeenAt);
        var renewing = _liveness.Renewing(_voterSeenAt);
        var members = state.Members
            .Where(m => m.HasRole("vip"))
            .Select(m =>
            {
                var id = new NodeId(m.Address.ToString());
                // An owner that stopped renewing counts as unreachable: failover need not wait for the failure detector.
                // One that still renews keeps its VIPs while another node's failure detector flaps (say as a partition heals).
                // A voter's node whose voter stopped answering is no target either (VoterContact.Reaches).
                return new MemberView(id, HasVipRole: true,
                    IsUp: m.Status == MemberStatus.Up && !_leaving.Contains(id),
                    IsReachable: !state.Unreachable.Contains(m) && !stale.Contains(id) && (!_voters.Contains(id) || _contact.Reaches(id, now)),
                    Health: _health.Of(id, now),
                    IsRenewing: renewing.Contains(id),
                    CanServe: !_ineligible.TryGetValue(id, out var said) || !said.WholeNode)
                {
                    // A node whose VIP interface is down for some of its VIPs only: the others stay placeable there.
                    Unservable = said is { WholeNode: false, Vips: { } vips } ? vips.ToHashSet(StringComparer.Ordinal) : NoVips,
                    CannotServeCause = said?.Cause ?? IneligibleCause.Link,
                    Declared = declared.Declared.GetValueOrDefault(id),
                };
            })
            .ToList();
        // Only an allocator that a majority of the voters answers places anything (VoterContact): cut off in a minority it
        // would move the majority side's VIPs to nodes that cannot get a lease, and its Revokes would land after the heal.
        if (_contact.Connected(now) < _lease.Majority)
        {
            ResendAssignments(now, changed: false);
            LookAgain(now);
            return;
        }
        var vipHealth = _vipHealth.View(now);
        _vipHealthSeen = vipHealth.Signature();
        var decision = Placement.Decide(_placing, _eligibleSince.Stamp(members, now), SelfNode, _assignments, _epochCounter, vipHealth, _lease.Voters);
        RememberReasons(decision);
        _nextPreemption = decision.NextPreemption is { } wait ? now + wait : null;
        _assignments = decision.Assignments;
        _epochCounter = decision.EpochCounter;
        _liveness.Track(_assignments, now);
        var revokes = new Dictionary<NodeId, List<Revoke>>();
        foreach (var change in decision.Changes)
        {
            _log.Info("placement changed vip={0} epoch={1} node={2} from={3}", change.Vip, change.Epoch, change.To?.Value ?? "none",
                change.From?.Value ?? "none");
            if (change.From is { } from) Add(revokes, from, new Revoke(change.Vip, change.Epoch));
        }
        ResendAssignments(now, changed: decision.Changes.Count > 0, revokes);
        LookAgain(now);
    }

    /// <summary>The last merge of the declarations, and what it was made from (<see cref="Declared"/>).</summary>
    private (NodeId[] Up, IReadOnlyDictionary<string, Assignment>? Current, DeclaredVips Merged)? _lastMerge;

    /// <summary>
    /// The Up members' declarations merged (<see cref="DeclaredVips.Merge"/>), merged again only when a declaration or the Up
    /// members changed: with 1,000 VIPs a merge at every decision (twice a second while idle) was a tenth of what the
    /// allocator's node allocated. While a member (or this node) has not declared, the merge also keeps what each holds, so
    /// it is made again whenever the assignments changed.
    /// </summary>
    private DeclaredVips Declared(NodeId[] up)
    {
        var undeclared = !_declarations.ContainsKey(SelfNode) || up.Any(m => !_declarations.ContainsKey(m));
        if (_lastMerge is { } last && last.Up.SequenceEqual(up) && (!undeclared || ReferenceEquals(last.Current, _assignments)))
            return last.Merged;
        var merged = DeclaredVips.Merge(SelfNode, _vips, _declarations, up, _voters, _assignments);
        _lastMerge = (up, undeclared ? _assignments : null, merged);
        return merged;
    }

    /// <summary>Every VIP this allocator places, its owner and epoch, and why (<see cref="GetPlacement"/>).</summary>
    private PlacementReport Report() => new(SelfNode, _assignments
        .OrderBy(a => a.Key, StringComparer.Ordinal)
        .Select(a => new PlacementEntry(a.Key, a.Value.Owner, a.Value.Epoch,
            _reasons.TryGetValue(a.Key, out var reason) ? PlacementReasons.Text(reason) : PlacementReasons.Recovering))
        .ToList());

    /// <summary>A VIP that stays where it was keeps the reason it came there for (moved for health, say), not "kept".</summary>
    private void RememberReasons(PlacementDecision decision)
    {
        foreach (var (vip, reason) in decision.Reasons)
        {
            if (reason != PlacementReason.Kept || !_reasons.ContainsKey(vip)) _reasons[vip] = reason;
        }
        foreach (var gone in _reasons.Keys.Where(v => !decision.Reasons.ContainsKey(v)).ToList())
            _reasons.Remove(gone);
    }

    /// <summary>Sets the next look at the first moment time alone can change the decision, or a re-send is due.</summary>
    private void LookAgain(TimeSpan now)
    {
        // With every assignment confirmed, a live owner's expiry comes first; the cap only bounds a look with nothing to wait for.
        var next = Unconfirmed(now).Any() ? _lastResend + ResendInterval : now + IdleLookInterval;
        if (_liveness.NextExpiry(now) is { } expiry && expiry < next) next = expiry;
        if (_health.NextChange(now) is { } change && change < next) next = change;
        if (_nextPreemption is { } preempt && preempt < next) next = preempt;
        if (_vipHealth.NextChange(now) is { } expires && expires < next) next = expires;
        Timers.StartSingleTimer("tick", Tick.Instance, next - now > MinLookInterval ? next - now : MinLookInterval);
    }

    /// <summary>
    /// Sends every assignment to its owner when something changed; otherwise, once <see cref="ResendInterval"/> has
    /// passed, those whose owner has not confirmed them.
    /// </summary>
    /// <param name="revokes">The decision's revokes by node: each goes out in one message with that node's assignments
    /// (<see cref="Placements"/>), before them.</param>
    private void ResendAssignments(TimeSpan now, bool changed, Dictionary<NodeId, List<Revoke>>? revokes = null)
    {
        var assigns = new Dictionary<NodeId, List<Assign>>();
        if (changed || _lastResend == TimeSpan.MinValue || now - _lastResend >= ResendInterval)
        {
            _lastResend = now;
            foreach (var (vip, assignment) in changed ? _assignments : Unconfirmed(now))
            {
                if (assignment.Owner is { } owner) Add(assigns, owner, new Assign(vip, assignment.Epoch));
            }
        }
        foreach (var node in assigns.Keys.Union(revokes?.Keys ?? Enumerable.Empty<NodeId>()).ToList())
        {
            var toRevoke = revokes?.GetValueOrDefault(node) ?? [];
            var toAssign = assigns.GetValueOrDefault(node) ?? [];
            // One of either alone is sent as itself: the message every node reads, and what a node of one VIP always gets.
            object message = (toRevoke.Count, toAssign.Count) switch
            {
                (1, 0) => toRevoke[0],
                (0, 1) => toAssign[0],
                _ => new Placements(toRevoke, toAssign),
            };
            Agent(node).Tell(message, Self);
        }
    }

    private static void Add<T>(Dictionary<NodeId, List<T>> byNode, NodeId node, T item)
    {
        if (!byNode.TryGetValue(node, out var items)) byNode[node] = items = new List<T>();
        items.Add(item);
    }

    private IEnumerable<KeyValuePair<string, Assignment>> Unconfirmed(TimeSpan now) =>
        _assignments.Where(a => a.Value.Owner is not null && !_liveness.Confirms(a.Key, a.Value, now));

    private ActorSelection Agent(NodeId node) => Context.ActorSelection(AgentPath.Of(node));
}
