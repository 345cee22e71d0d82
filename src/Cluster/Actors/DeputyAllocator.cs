using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorVip.Ownership.Actors;

/// <summary>
/// One per vip node (at /user/deputy): places a VIP whose owner and allocator were lost together, within a promise-time
/// instead of the seconds Akka's membership takes to move the singleton (issue 13 §1; the decisions are
/// <see cref="DeputyPlacement"/>'s). It looks at its own voter only when a promise it saw there would run out, so an
/// idle node pays about one local message per promise-time; it asks the other voters only when its own voter has lost
/// both the allocator's presence and a VIP's owner. What it decides it hands to its node's agent as a <see cref="Claim"/>.
/// </summary>
public sealed class DeputyAllocator : ReceiveActor, IWithTimers
{
    public const string Name = "deputy";

    /// <summary>Slack after a promise's end before looking, so that the promise has run out when the voter is asked.</summary>
    private static readonly TimeSpan PastTheEnd = TimeSpan.FromMilliseconds(1);

    /// <summary>The earliest next look, so that a deputy never spins on a voter that answers the same thing.</summary>
    private static readonly TimeSpan MinLookInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>How long answers from the last voters are awaited once a majority answered; dead voters never answer.</summary>
    private static readonly TimeSpan StragglerWait = TimeSpan.FromMilliseconds(20);

    private sealed record Look
    {
        public static readonly Look Instance = new();
    }

    private sealed record ProbeTimeout(int Round);

    private sealed record ColdStartOver
    {
        public static readonly ColdStartOver Instance = new();
    }

    /// <summary>
    /// How long after its start a deputy waits for any allocator before it treats the VIPs of a cluster that never formed as
    /// orphans: only the first seed may form a cluster, so with it down at a cold start the others never join anything, and
    /// the VIP stayed dark for as long as the first seed was down although a majority of voters ran. A cluster forms in 2-3 s
    /// (docs/BENCHMARKS.md, start to serving); a slower start that the grace misses costs a claim the allocator then adopts.
    /// </summary>
    public static readonly TimeSpan ColdStartGrace = TimeSpan.FromSeconds(10);

    /// <summary>This node's VIPs: what it may claim; a reload replaces them (<see cref="DeputyVips"/>).</summary>
    private IReadOnlyList<VipSpec> _vips;
    private readonly LeaseSettings _lease;
    private readonly IReadOnlyList<NodeId> _voters;
    private readonly NodeId _self;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<NodeId, VoterPromises> _answers = new();
    /// <summary>The probe round in progress (0: none); answers and timeouts of an older round are ignored.</summary>
    private int _round;
    private int _lastRound;
    private readonly TimeSpan _coldStartGrace;
    private bool _coldStartOver;

    /// <param name="coldStartGrace"><see cref="ColdStartGrace"/> unless a test sets another.</param>
    public DeputyAllocator(IReadOnlyList<VipSpec> vips, LeaseSettings lease, IReadOnlyList<NodeId> voters, NodeId self, TimeSpan coldStartGrace)
    {
        _coldStartGrace = coldStartGrace;
        _vips = vips;
        _lease = lease;
        _voters = voters;
        _self = self;
        Receive<Look>(_ => AskLocalVoter());
        Receive<DeputyVips>(v => _vips = v.Vips);
        Receive<ColdStartOver>(_ =>
        {
            _coldStartOver = true;
            AskLocalVoter();
        });
        Receive<VoterPromises>(OnPromises);
        Receive<ProbeTimeout>(t =>
        {
            if (t.Round == _round) Decide();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<VipSpec> vips, LeaseSettings lease, IReadOnlyList<NodeId> voters, NodeId self,
        TimeSpan? coldStartGrace = null)
    {
        var grace = coldStartGrace ?? ColdStartGrace;
        return Akka.Actor.Props.Create(() => new DeputyAllocator(vips, lease, voters, self, grace));
    }

    protected override void PreStart()
    {
        LookAgainIn(_lease.PromiseTime);
        Timers.StartSingleTimer("cold-start", ColdStartOver.Instance, _coldStartGrace);
    }

    private void AskLocalVoter() => Context.ActorSelection($"/user/{VoterActor.Name}").Tell(GetPromises.Instance, Self);

    private void OnPromises(VoterPromises snapshot)
    {
        if (_round != 0)
        {
            if (!_voters.Contains(snapshot.Voter)) return;
            _answers[snapshot.Voter] = snapshot;
            if (_answers.Count == _voters.Count) Decide();
            // A majority is enough to decide; the others get a moment, so that every deputy decides from the same answers.
            else if (_answers.Count == _lease.Majority) Timers.StartSingleTimer("probe", new ProbeTimeout(_round), StragglerWait);
            return;
        }
        if (snapshot.Voter != _self) return;
        var (probe, next) = DeputyPlacement.Look(snapshot, _vips, _lease, _coldStartOver);
        if (probe && TakesPart()) StartProbe();
        else LookAgainIn(next + PastTheEnd);
    }

    /// <summary>
    /// Whether this node's deputy takes part: an Up member, a member still Joining or WeaklyUp, and a node that is a member
    /// of no cluster; not one that is Leaving, Exiting, Down or Removed (it is on its way out). Akka's split brain resolver
    /// counts only Up members, so with a node still joining a rack crash can make the survivors down themselves; a full run
    /// saw three of five voters, each in its own view still Joining, leave the VIP dark for 12 s until they were downed, and
    /// after that, as members of no cluster (only the first seed may form one), for good (docs/DESIGN-NOTES.md, "Known
    /// Akka behaviour"). Safety does not rest on membership: a claim is an ordinary acquisition of the quorum lease, and a
    /// voter that never heard from an allocator (a cold start) makes no deputy act before <see cref="ColdStartGrace"/>.
    /// </summary>
    private bool TakesPart() => SelfStatus() is null or MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp;

    private MemberStatus? SelfStatus() => ClusterSelf.Status(_cluster);

    /// <summary>
    /// The candidates' order for <see cref="DeputyPlacement.Decide"/>: the Up members oldest first, or, for a node that is not
    /// Up itself (joining, or in no cluster), the configured voters in their order (every node has the same list).
    /// </summary>
    private IReadOnlyList<NodeId> OldestFirst()
    {
        if (SelfStatus() != MemberStatus.Up) return _voters;
        return _cluster.State.Members
            .Where(m => m.HasRole("vip") && m.Status == MemberStatus.Up)
            .OrderBy(m => m, Member.AgeOrdering)
            .Select(m => new NodeId(m.Address.ToString()))
            .ToList();
    }

    /// <summary>Asks every voter what it promised; decides when all answered, or after a renew-interval with those that did.</summary>
    private void StartProbe()
    {
        _round = ++_lastRound;
        _answers.Clear();
        foreach (var voter in _voters)
            Context.ActorSelection(VoterActor.PathOf(voter)).Tell(GetPromises.Instance, Self);
        Timers.StartSingleTimer("probe", new ProbeTimeout(_round), _lease.RenewInterval);
    }

    private void Decide()
    {
        _round = 0;
        Timers.Cancel("probe");
        var decision = DeputyPlacement.Decide(_answers.Values, _vips, OldestFirst(), _self, _lease);
        foreach (var claim in decision.Claims)
        {
            _log.Warning("no allocator reaches a majority of voters and vip={0} has no owner (last {1}); claiming it epoch={2} node={3}", claim.Vip,
                claim.PreviousOwner?.Value ?? "none", claim.Epoch, _self);
            Context.ActorSelection($"/user/{AgentPath.Name}").Tell(claim, Self);
        }
        // After a claim, its acquisition needs a few round trips; a promise-time later the local look sees how it went.
        // Too few answers (this node is cut off in a minority): nothing to do here until that changes.
        var next = decision.Claims.Count > 0 || _answers.Count < _lease.Majority ? _lease.PromiseTime : decision.RetryAfter ?? _lease.RenewInterval;
        LookAgainIn(next + PastTheEnd);
    }

    private void LookAgainIn(TimeSpan delay) => Timers.StartSingleTimer("look", Look.Instance, delay > MinLookInterval ? delay : MinLookInterval);
}

/// <summary>A reload changed this node's VIPs (issue 14 §5): the deputy claims these from now on. Never on the wire.</summary>
public sealed record DeputyVips(IReadOnlyList<VipSpec> Vips);
