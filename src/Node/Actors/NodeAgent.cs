using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Observability;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// One per node (at /user/agent). Takes placements from the allocator, renews the quorum lease for each
/// placed VIP with every voter, and holds the VIP (a VipActor child) only while a majority acked a renewal
/// sent less than lease-time ago. A timer on the monotonic clock drops a VIP the moment its lease runs
/// out, so a node that was frozen drops it before anything else once it wakes.
/// </summary>
public sealed partial class NodeAgent : ReceiveActor, IWithTimers
{
    public const string Name = AgentPath.Name;

    /// <summary>
    /// How soon a refused acquirer asks again (at most a renew-interval): the release it waits for is usually a few
    /// milliseconds behind, and a graceful handover waits for this retry.
    /// </summary>
    public static readonly TimeSpan AcquireRetry = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How long the first acquisition of a burst waits for the rest: every renewal round renews every VIP placed here, and a
    /// failover or a start places hundreds in one burst of assignments. A round per assignment sent n(n+1)/2 items to each
    /// voter (1,000 VIPs: half a million, and as many answers), and 3 real nodes with 1,000 VIPs never settled; one round
    /// for the burst sends n. Acquisition is the only thing it delays, by at most this.
    /// </summary>
    public static readonly TimeSpan AcquireWindow = TimeSpan.FromMilliseconds(5);

    private sealed record RenewTick
    {
        public static readonly RenewTick Instance = new();
    }

    /// <summary>A renewal round of the VIPs still being acquired only (the acquisition window, a retry after a refusal).</summary>
    private sealed record AcquireTick
    {
        public static readonly AcquireTick Instance = new();
    }

    /// <summary>Fires just after the earliest held lease would end.</summary>
    private sealed record LeaseExpiryTick
    {
        public static readonly LeaseExpiryTick Instance = new();
    }

    /// <summary>Every check-interval while a VIP is held: the addresses' refresh (<see cref="KernelRefresh.Addresses"/>).</summary>
    private sealed record AddressTick
    {
        public static readonly AddressTick Instance = new();
    }

    private sealed record ReportTick
    {
        public static readonly ReportTick Instance = new();
    }

    private sealed record EligibilityTick
    {
        public static readonly EligibilityTick Instance = new();
    }

    /// <summary>From the link watcher's thread: a VIP interface's new state.</summary>
    private sealed record LinkChanged(LinkStatus Status);

    /// <summary>
    /// How often an ineligible node says so again: a new allocator (after a failover of the singleton) or a lost message
    /// learns it within this, while the node holds nothing meanwhile.
    /// </summary>
    public static readonly TimeSpan EligibilityResend = TimeSpan.FromSeconds(2);

    /// <summary>A VIP placed on this node: its lease (and the previous epoch's, while it still covers us) and the child that holds it.</summary>
    private sealed class Placed(VipConfig vip, OwnerLease lease)
    {
        public VipConfig Vip { get; } = vip;
        /// <summary>Set while this placement is a deputy's claim not yet confirmed by an allocator (<see cref="Claim"/>).</summary>
        public Claim? Claim { get; set; }
        /// <summary>When the claim began acquiring (<see cref="DeputyPlacement.ClaimYields"/>).</summary>
        public TimeSpan ClaimedAt { get; init; }
        public OwnerLease Lease { get; set; } = lease;
        public OwnerLease? Previous { get; set; }
        public IActorRef? Holder { get; set; }
        /// <summary>The interface the holder was started on (its index and MAC as they were then).</summary>
        public InterfaceInfo? Link { get; set; }
        /// <summary>The holder's view of the lease's end, shared with its actors; ended the moment the holder is stopped.</summary>
        public HolderLease? Validity { get; set; }
        public bool IsValid(TimeSpan now) => Lease.IsValid(now) || (Previous?.IsValid(now) ?? false);
        public TimeSpan Remaining(TimeSpan now)
        {
            var previous = Previous?.Remaining(now) ?? TimeSpan.Zero;
            return Lease.Remaining(now) > previous ? Lease.Remaining(now) : previous;
        }

        private (RenewItem Ask, RenewItem Quiet)? _items;
        private HeldVip? _held;

        /// <summary>This VIP as the kernel refresh sees it (requires <see cref="Link"/> and <see cref="Validity"/>), made once while they stay.</summary>
        public HeldVip Held()
        {
            if (_held is not { } held || !ReferenceEquals(held.Link, Link) || !ReferenceEquals(held.Lease, Validity) || !ReferenceEquals(held.Vip, Vip.Vip))
                _held = held = new HeldVip(Vip.Vip, Link!, Validity!);
            return held;
        }

        /// <summary>
        /// This lease's item in a renewal batch, made once per epoch: every round puts one in each voter's batch, and 500 VIPs
        /// were 6,000 new objects a second on an idle owner.
        /// </summary>
        public RenewItem RenewItem(string vip, bool ackWanted)
        {
            if (_items is not { } items || items.Ask.Epoch != Lease.Epoch || items.Ask.Vip != vip)
                _items = items = (new RenewItem(vip, Lease.Epoch, true), new RenewItem(vip, Lease.Epoch, false));
            return ackWanted ? items.Ask : items.Quiet;
        }
    }

    private sealed class Stopping(string vip)
    {
        public string Vip { get; } = vip;
        /// <summary>The holder's word (<see cref="Silenced"/>), or the agent's batch that silenced it (<see cref="KernelRefresh.Silence"/>).</summary>
        public bool Silenced { get; set; }
    }

    private sealed record PendingRelease(ReleaseLease Release, TimeSpan Deadline);

    /// <summary>This node's settings; a reload replaces them with a new VIP list (<see cref="Reconfigure"/>), nothing else.</summary>
    private NodeSettings _settings;
    /// <summary>Who asked for the reload being applied (<see cref="Reconfigure"/>): answered once its kernel work is done.</summary>
    private IActorRef? _reconfiguredBy;
    /// <summary>
    /// The VIP interfaces by name (the node's and each VIP's own), handed to new holders; one is replaced when its link returns
    /// (after a re-create, with a new index and MAC).
    /// </summary>
    private readonly Dictionary<string, InterfaceInfo> _links = new(StringComparer.Ordinal);
    /// <summary>
    /// The VIP interfaces that are gone, down or without carrier now, and why: this node cannot hold the VIPs that live on
    /// them (each VIP on its own interface, the node's by default), and holds the others as usual.
    /// </summary>
    private readonly Dictionary<string, string> _down = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _linkWatches = new();
    /// <summary>
    /// The VIP interfaces whose links are watched (<see cref="WatchLinks"/>): those of the start, and each a reload brought (none is
    /// dropped). The fence guards the egress of the same ones: the start's from its install, a reload's from its re-install.
    /// </summary>
    private readonly HashSet<string> _watched = new(StringComparer.Ordinal);
    /// <summary>
    /// The fence's inbound rule: the start's (<see cref="InboundFence.For(NodeSettings, IReadOnlyList{string})"/>), then each reload's
    /// whose services or VIP interfaces change it (<see cref="IFence.Reshape"/>).
    /// </summary>
    private InboundFence _inbound;
    /// <summary>The kernel drivers; a reload that brings the first load-balanced service adds IPVS (<see cref="Reconfigure.LoadBalancer"/>).</summary>
    private DriverSet _drivers;
    private readonly LeaseSettings _lease;
    private readonly IReadOnlyList<NodeId> _voters;
    private readonly NodeId _self;
    private readonly IMonotonicClock _clock;
    private readonly IActorRef _allocator;
    private readonly LeaseFingerprint? _fingerprint;
    /// <summary>The VIPs this node is configured for, as it declares them to the allocator (issue 14 §5); null: it declares none.</summary>
    private VipDeclaration? _declaration;
    /// <summary>Settings refusals already logged, by VIP, voter and the voter's fingerprint: one line each, not one per renewal.</summary>
    private readonly HashSet<(string Vip, NodeId Voter, string? Theirs)> _settingsRefusals = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Placed> _placed = new();
    private readonly KernelRefresh _refresh;
    /// <summary>Paces the repeated and refreshed announcements of every VIP held here together (announce.max-per-second).</summary>
    private readonly AnnouncePacer _pacer;
    /// <summary>Held VIPs whose lease this message's acks extended: their fence elements go to the kernel in one batch after it.</summary>
    private readonly List<HeldVip> _fencesDue = new();
    /// <summary>VIPs granted by this message's acks: their holders start at its end (<see cref="FlushKernelWork"/>).</summary>
    private readonly List<(string Vip, Placed Placed, long Epoch)> _grantsDue = new();
    /// <summary>Holders given up in this message: silenced together and stopped at its end.</summary>
    private readonly List<(IActorRef Holder, HeldVip? Held)> _stopsDue = new();
    /// <summary>Holders asked to stop, by VIP, and whether each reported its VIP silenced (<see cref="Silenced"/>).</summary>
    private readonly Dictionary<IActorRef, Stopping> _stopping = new();
    /// <summary>
    /// How many holders of each VIP are stopping (<see cref="IsStopping"/> without a scan per VIP: a graceful stop of 500 VIPs
    /// asks 500 times).
    /// </summary>
    private readonly Dictionary<string, int> _stoppingByVip = new(StringComparer.Ordinal);
    /// <summary>Set by a give-up: the timers are armed again once at the end of the message, not once per VIP given up.</summary>
    private bool _armDue;
    /// <summary>
    /// No held lease ends before this (monotonic clock), as <see cref="ArmTimers"/> last found; leases only grow until then, and
    /// a change that can bring one forward sets it to zero.
    /// </summary>
    private TimeSpan _firstExpiry = TimeSpan.MaxValue;
    /// <summary>Releases that wait for the VIP's holders to be silenced, and the lease end after which none is sent.</summary>
    private readonly Dictionary<string, PendingRelease> _releases = new();
    /// <summary>Releases that may go, sent to the voters at the end of the message in one batch per voter (<see cref="FlushMessages"/>).</summary>
    private readonly List<ReleaseLease> _releasesDue = new();
    /// <summary>What this message tells the allocator of the VIPs it dropped, sent at its end in one message.</summary>
    private readonly List<Released> _releasedDue = new();
    /// <summary>The renewals this message's acks completed, published at its end as one event (the renewal-time histogram).</summary>
    private readonly List<LeaseRenewalAcked> _renewalsAcked = new();
    /// <summary>Set by assignments this node cannot hold: it says why once, before handing them back (a batch may hold 500).</summary>
    private bool _eligibilityDue;
    private IActorRef? _releaseAllRequester;
    private bool _leaving;
    private bool _expiryArmed;
    /// <summary>The id of the last renewal round sent (SendRenewals); long.MinValue before the first.</summary>
    private long _lastRenewalId = long.MinValue;
    /// <summary>Whether this node sees a healthy backend; null while nobody watches (keep-vip-when-none-healthy = on) or not yet settled.</summary>
    private bool? _backendHealthy;

    /// <param name="links">The VIP interfaces as found at start (<see cref="NodeSettings.VipInterfaces"/>); one not among them counts as gone until its
    /// watcher reports it.</param>
    /// <param name="fingerprint">This node's voters and timings, carried by every renewal (null: none, as a node before it).</param>
    public NodeAgent(NodeSettings settings, IReadOnlyList<InterfaceInfo> links, DriverSet drivers, LeaseSettings lease, IReadOnlyList<NodeId> voters,
        NodeId self,
        IMonotonicClock clock, IActorRef allocator, LeaseFingerprint? fingerprint = null, IReadOnlyList<VipSpec>? declared = null)
    {
        _fingerprint = fingerprint;
        _declaration = declared is null ? null : VipSpecs.Declaration(self, declared);
        _settings = settings;
        foreach (var link in links) _links[link.Name] = link;
        _drivers = drivers;
        _inbound = InboundFence.For(settings);
        _lease = lease;
        _voters = voters;
        _self = self;
        _clock = clock;
        _allocator = allocator;
        _pacer = new AnnouncePacer(settings.Announce.MaxPerSecond, clock);
        _refresh = new KernelRefresh(drivers.Addresses, drivers.Fence, settings.Address, clock, _log, settings.Vips.Select(v => v.Address).ToList());

        Receive<Assign>(OnAssign);
        Receive<Claim>(OnClaim);
        Receive<Revoke>(OnRevoke);
        Receive<Placements>(p =>
        {
            foreach (var revoke in p.Revokes) OnRevoke(revoke);
            foreach (var assign in p.Assigns) OnAssign(assign);
        });
        Receive<RenewTick>(_ => SendRenewals());
        Receive<AcquireTick>(_ => SendRenewals(acquiringOnly: true));
        Receive<AddressTick>(_ => _refresh.Addresses(InKernel().ToList()));
        Receive<LeaseExpiryTick>(_ =>
        {
            _expiryArmed = false;
            DropExpiredLeases();
            ArmTimers();
        });
        Receive<RenewAck>(OnAck);
        Receive<RenewNack>(OnNack);
        Receive<RenewAnswers>(OnAnswers);
        Receive<ReleaseAll>(OnReleaseAll);
        Receive<Silenced>(OnSilenced);
        Receive<Terminated>(OnTerminated);
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
        Receive<LocalBackendHealth>(h =>
        {
            _backendHealthy = h.AnyHealthy;
            Report();
        });
        Receive<ReportTick>(_ => Report());
        Receive<LinkChanged>(c => OnLinkChanged(c.Status));
        Receive<EligibilityTick>(_ =>
        {
            RetryFence();
            TellEligibility();
        });
        Receive<FenceFailed>(f => OnFenceFailed(f.Reason));
        // An allocator that starts, or saw this node come Up, asks: it places a VIP only on nodes that declare it.
        Receive<Reconfigure>(OnReconfigure);
        Receive<GetDeclaration>(_ =>
        {
            if (_declaration is { } declaration && !_leaving) Sender.Tell(declaration);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeSettings settings, IReadOnlyList<InterfaceInfo> links, DriverSet drivers, LeaseSettings lease, IReadOnlyList<NodeId> voters,
        NodeId self, IMonotonicClock clock, IActorRef allocator, LeaseFingerprint? fingerprint = null, IReadOnlyList<VipSpec>? declared = null) =>
        Akka.Actor.Props.Create(() => new NodeAgent(settings, links, drivers, lease, voters, self, clock, allocator, fingerprint, declared));

    /// <summary>
    /// Renewals run only while a VIP is placed here, and the lease-expiry timer fires when the earliest held lease would
    /// run out: a node holding nothing has no timers at all (idle CPU), and a lapse is caught at its moment.
    /// </summary>
    private void ArmTimers()
    {
        if (_placed.Count == 0)
        {
            Timers.Cancel("renew");
            Timers.Cancel("lease-expiry");
            Timers.Cancel("addresses");
            _expiryArmed = false;
            _firstExpiry = TimeSpan.MaxValue;
            return;
        }
        StartRenewals();
        var now = _clock.Now;
        var held = _placed.Values.Where(p => p.Holder is not null).Select(p => p.Remaining(now)).ToList();
        _expiryArmed = held.Count > 0;
        _firstExpiry = held.Count > 0 ? now + held.Min() : TimeSpan.MaxValue;
        if (held.Count == 0) Timers.Cancel("addresses");
        else if (!Timers.IsTimerActive("addresses")) Timers.StartPeriodicTimer("addresses", AddressTick.Instance, _settings.Address.CheckInterval);
        if (!_expiryArmed) Timers.Cancel("lease-expiry");
        // Just past the end, so that the lease is over when the tick arrives.
        else Timers.StartSingleTimer("lease-expiry", LeaseExpiryTick.Instance, held.Min() + TimeSpan.FromMilliseconds(1));
    }

    private void StartRenewals()
    {
        if (!Timers.IsTimerActive("renew")) Timers.StartPeriodicTimer("renew", RenewTick.Instance, _lease.RenewInterval);
    }

    protected override void PreStart()
    {
        // Also when the allocator asks; this one covers an allocator that was running before this node was Up and asked too early.
        if (_declaration is { } declaration) _allocator.Tell(declaration);
        WatchLinks();
        if (_down.Count > 0)
        {
            TellEligibility();
            Timers.StartPeriodicTimer("eligibility", EligibilityTick.Instance, EligibilityResend);
        }
        var lb = _settings.LoadBalancer;
        if (lb.Enabled && !lb.HealthCheck.KeepVipWhenNoneHealthy && _drivers.LoadBalancer is { } drivers)
        {
            Context.ActorOf(BackendWatch.Props(lb, _settings.NodeAddress, drivers), "backends");
            // Re-sent each interval: a new allocator (or a lost message) learns it without waiting for a change.
            Timers.StartPeriodicTimer("report", ReportTick.Instance, lb.HealthCheck.Interval);
        }
        FollowHealthChecks();
    }

    /// <summary>
    /// Watches the link of every VIP interface not watched yet: at start, and the new ones of a reload. One not found (at start, or by
    /// the reload) counts as down until its watcher reports it.
    /// </summary>
    /// <returns>The interfaces it started watching.</returns>
    private List<string> WatchLinks()
    {
        var self = Self;
        var added = _settings.VipInterfaces.Where(_watched.Add).ToList();
        foreach (var name in added)
        {
            if (!_links.ContainsKey(name)) _down[name] = new LinkStatus(name, null).Reason;
            // The watcher calls back on its own thread; the first call is the interface's state now.
            if (_drivers.LinkWatcher?.Watch(name, status => self.Tell(new LinkChanged(status))) is { } watch) _linkWatches.Add(watch);
        }
        return added;
    }

    protected override void PostStop()
    {
        foreach (var watch in _linkWatches) watch.Dispose();
    }

    /// <summary>
    /// A VIP interface changed. Gone, administratively down or without carrier: the node cannot answer for the VIPs that live
    /// on it, so it says so to the allocator first (which then places none of them here and moves those that are here) and
    /// gives each of them up at once, the graceful way (silenced, then released); VIPs on its other interfaces stay. Back
    /// up: the holders it starts from now on use the interface's index and MAC as they are now, and it says it can serve
    /// them again.
    /// </summary>
    private void OnLinkChanged(LinkStatus status)
    {
        Context.System.EventStream.Publish(new LinkObserved(status.Name, status.CanServe, status.Reason));
        var name = status.Name;
        if (status is { CanServe: true, Link: { } link })
        {
            var changed = _links.TryGetValue(name, out var was) && (link.Index != was.Index || !link.Mac.Equals(was.Mac));
            _links[name] = link;
            if (_down.Remove(name))
            {
                if (_down.Count == 0 && _fenceBroken is null) Timers.Cancel("eligibility");
                _log.Info("the VIP interface is back, this node can hold its VIPs again node={0} reason={1}", _self, status.Reason);
                TellEligibility();
            }
            else if (changed)
            {
                // Holders announce with the index and MAC they were started with: hand over and take the VIP anew.
                GiveUpOn(name, $"{status.Reason}, changed under the VIPs (index or MAC)");
            }
            return;
        }
        if (_down.TryGetValue(name, out var known) && known == status.Reason) return;
        _down[name] = status.Reason;
        _log.Warning("this node cannot hold VIPs: {0}; handing its VIPs over node={1} holding={2}", status.Reason, _self,
            _placed.Values.Count(p => _settings.InterfaceOf(p.Vip) == name));
        // Before the Released messages, so that the allocator's decision on them already leaves this node out.
        TellEligibility();
        if (!Timers.IsTimerActive("eligibility")) Timers.StartPeriodicTimer("eligibility", EligibilityTick.Instance, EligibilityResend);
        GiveUpOn(name, status.Reason);
    }

    /// <summary>Gives up every VIP placed here that lives on interface <paramref name="name"/>.</summary>
    private void GiveUpOn(string name, string reason)
    {
        foreach (var (vip, placed) in _placed.Where(p => _settings.InterfaceOf(p.Value.Vip) == name).ToList())
            GiveUp(vip, placed, reason);
    }

    /// <summary>
    /// Why this node cannot hold <paramref name="vip"/> now (its kernel fence is broken, or its interface is gone, down or without
    /// carrier); null while it can.
    /// </summary>
    private string? CannotHold(VipConfig vip) => _fenceBroken ?? _down.GetValueOrDefault(_settings.InterfaceOf(vip));

    /// <summary>
    /// Tells the allocator what this node can hold: everything (every VIP interface up), nothing (every one down: as a node with
    /// one VIP interface always said), or all but the VIPs on the interfaces that are down, named in <see cref="Eligibility.Vips"/>;
    /// and why (<see cref="Eligibility.Cause"/>). A broken fence takes every VIP, whatever the links: its message names every VIP
    /// too, which is all an allocator before the cause can be told of it (the cause is written after the list, and only with one).
    /// </summary>
    private void TellEligibility()
    {
        if (_leaving) return;
        if (_down.Count == 0 && _fenceBroken is null)
        {
            _allocator.Tell(new Eligibility(_self, true, string.Join("; ", _links.Values.Select(l => new LinkStatus(l.Name, l).Reason))));
            return;
        }
        var reason = string.Join("; ", _down.Values.Prepend(_fenceBroken).OfType<string>());
        var affected = _settings.Vips.Where(v => CannotHold(v) is not null).Select(v => v.Address.ToString()).ToList();
        var eligibility = _fenceBroken is not null
            ? new Eligibility(_self, false, reason, affected.Count > 0 ? affected : null, IneligibleCause.Fence)
            : new Eligibility(_self, false, reason, affected.Count == _settings.Vips.Count ? null : affected);
        _allocator.Tell(eligibility);
    }

    /// <summary>
    /// A reload changed the VIP list (issue 14 §5, <see cref="Reconfigure"/>). In order: the allocator hears the new declaration
    /// first, so that the releases below are not placed here again; the fence guards the new VIPs, re-installed in one transaction
    /// that keeps every held VIP let through (a removed VIP stays guarded, owned by nobody, until the next start); then each removed
    /// or changed VIP held or being acquired here is given up the normal way (silenced, fence closed, then released). The VIPs
    /// that did not change get no message and keep their lease. Answers <see cref="Reconfigured"/> once that kernel work is done.
    /// </summary>
    private void OnReconfigure(Reconfigure reconfigure)
    {
        _settings = reconfigure.Settings;
        _declaration = VipSpecs.Declaration(_self, reconfigure.Declared);
        // A new VIP interface is known (or down) before the allocator hears of its VIPs, so that an assignment finds it.
        foreach (var link in reconfigure.Links) _links.TryAdd(link.Name, link);
        var down = _down.Count;
        var newInterfaces = WatchLinks();
        if (!_leaving) _allocator.Tell(_declaration);
        if (_down.Count > down)
        {
            TellEligibility();
            if (!Timers.IsTimerActive("eligibility")) Timers.StartPeriodicTimer("eligibility", EligibilityTick.Instance, EligibilityResend);
        }
        if (reconfigure.LoadBalancer is { } opened) _drivers = _drivers with { LoadBalancer = opened };
        var guarded = (_refresh.Guarded ?? []).ToHashSet();
        var wanted = _settings.Vips.Select(v => v.Address).ToList();
        // A new VIP interface's egress is fenced too (the node's own announcements on it), and a new forwarding method or tunnel interface
        // changes the inbound rule (a VIP of this node's directroute or tunnel services reaches it unowned): by the same re-install.
        var watched = _watched.Order(StringComparer.Ordinal).ToList();
        var inbound = InboundFence.For(_settings, watched);
        var reshaped = newInterfaces.Count > 0 || !inbound.Equals(_inbound);
        if (_drivers.Fence is { } fence && (!wanted.All(guarded.Contains) || reshaped))
        {
            if (reshaped)
            {
                fence.Reshape(inbound, watched);
                _inbound = inbound;
            }
            var warned = fence.EgressWarning;
            guarded.UnionWith(wanted);
            var now = _clock.Now;
            var owned = _placed.Values.Where(p => p.Holder is not null && p.Remaining(now) > TimeSpan.Zero)
                .Select(p => (p.Vip.Address, p.Remaining(now))).ToList();
            try
            {
                fence.Install(guarded, owned);
                _refresh.Guarded = guarded;
                if (fence.EgressWarning is { } warning && warning != warned) _log.Warning("{0}", warning);
            }
            catch (Exception e) when (e is IOException or Linux.Netlink.NetlinkException or InvalidOperationException)
            {
                OnFenceFailed($"the kernel fence (nftables) could not guard the reloaded VIPs: {e.Message}");
            }
        }
        // The health checks follow the new list before the dropped VIPs are given up (issue 14 §1 with §5): a changed VIP is placed
        // again by its new checks.
        FollowHealthChecks();
        foreach (var vip in reconfigure.Dropped)
        {
            if (_placed.TryGetValue(vip, out var placed))
                GiveUp(vip, placed, _settings.VipNamed(vip) is null ? "removed from the configuration (reload)" : "changed by a reload; placed again");
        }
        if (!Sender.IsNobody()) _reconfiguredBy = Sender;
    }

    /// <summary>
    /// Health tracking (issue 14 §1, docs/HEALTH.md): the watch (/user/agent/vip-health) checks the health-tracked VIPs of the settings
    /// and reports to the allocator. Started with the first such VIP (at start, or by a reload); once running it is handed each new list
    /// (<see cref="VipHealthWatch.Retarget"/>: unchanged checks keep their verdicts).
    /// </summary>
    private void FollowHealthChecks()
    {
        var tracked = _settings.Vips.Where(v => v.HealthTracked).ToList();
        if (Context.Child("vip-health") is { } watch && !watch.IsNobody()) watch.Tell(new VipHealthWatch.Retarget(tracked));
        else if (tracked.Count > 0) Context.ActorOf(VipHealthWatch.Props(_self, tracked, VipHealthProbes.For, _allocator), "vip-health");
    }

    /// <summary>Tells the allocator whether this node sees a healthy backend (placement moves a VIP on it, docs/LOAD-BALANCING.md).</summary>
    private void Report()
    {
        if (_backendHealthy is { } healthy && !_leaving)
            _allocator.Tell(new AgentReport(_self, healthy, _placed.ToDictionary(p => p.Key, p => p.Value.Lease.Epoch)));
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        // Before anything else, also after a freeze: drop every VIP whose lease ran out.
        // Only once the earliest held lease may have ended: the look is at every placed VIP, and per message it made a burst
        // of 500 assignments cost a quarter of a million steps on the actor loop.
        if (_clock.Now >= _firstExpiry)
        {
            DropExpiredLeases();
            ArmTimers();
        }
        try
        {
            return base.AroundReceive(receive, message);
        }
        finally
        {
            FlushKernelWork();
            // Answered after the kernel work: a reload is done once the VIPs it removed are silenced too.
            if (_reconfiguredBy is { } asker)
            {
                _reconfiguredBy = null;
                asker.Tell(Reconfigured.Instance);
            }
        }
    }

    private void OnAssign(Assign assign)
    {
        if (_leaving) return;
        var vip = Configured(assign.Vip);
        if (vip is null)
        {
            // An allocator that has not heard this node's declaration yet (it just started, or the node just reloaded): declare again,
            // then hand the placement back, so that it is placed on a node configured for it at once rather than at the lease's end.
            // A node that declares nothing (no declaration given) ignores it, as nodes did before declarations.
            if (_declaration is not { } declaration)
            {
                _log.Warning("allocator assigned vip={0}, which this node is not configured for; ignoring", assign.Vip);
                return;
            }
            _log.Info("assigned vip={0} epoch={1}, which this node is not configured for; declaring its VIPs again and handing it back", assign.Vip,
                assign.Epoch);
            _allocator.Tell(declaration);
            _releasedDue.Add(new Released(assign.Vip, assign.Epoch, _self));
            return;
        }
        if (CannotHold(vip) is { } why)
        {
            // The allocator had not heard (a new one, or a lost message): say why again, then hand the placement back.
            _log.Info("assigned vip={0} epoch={1} while this node cannot hold it ({2}); handing it back", assign.Vip, assign.Epoch, why);
            _eligibilityDue = true;
            _releasedDue.Add(new Released(assign.Vip, assign.Epoch, _self));
            return;
        }
        if (_placed.TryGetValue(assign.Vip, out var placed))
        {
            // The allocator now stands behind what a deputy claimed here: it no longer yields to other claimants.
            if (assign.Epoch >= placed.Lease.Epoch) placed.Claim = null;
            if (assign.Epoch <= placed.Lease.Epoch) return; // a re-sent assignment
            _log.Info("placed here again vip={0} epoch={1} node={2} previous-epoch={3}", assign.Vip, assign.Epoch, _self, placed.Lease.Epoch);
            // Same owner, new epoch: the old lease keeps covering us until the new one is acked.
            placed.Previous = placed.Lease;
            placed.Lease = NewLease(assign.Epoch);
            return;
        }
        _log.Info("placed here, acquiring the lease vip={0} epoch={1} node={2}", assign.Vip, assign.Epoch, _self);
        Acquire(new Placed(vip, NewLease(assign.Epoch)));
    }

    /// <summary>
    /// This node's deputy places a VIP here while no allocator can (DeputyAllocator): acquire it like an assignment. A
    /// VIP already placed here is left alone: an allocator's assignment outranks a claim.
    /// </summary>
    private void OnClaim(Claim claim)
    {
        if (_leaving || _placed.ContainsKey(claim.Vip)) return;
        if (Configured(claim.Vip) is not { } vip || CannotHold(vip) is not null) return;
        _log.Info("claimed here while no allocator reaches a majority, acquiring the lease vip={0} epoch={1} node={2} previous-owner={3}", claim.Vip,
            claim.Epoch, _self, claim.PreviousOwner?.Value ?? "none");
        Acquire(new Placed(vip, NewLease(claim.Epoch)) { Claim = claim, ClaimedAt = _clock.Now });
    }

    /// <summary>This node's configuration of <paramref name="vip"/> (the address text an Assign or Claim names), or null.</summary>
    private VipConfig? Configured(string vip) => _settings.VipNamed(vip);

    /// <summary>
    /// Starts acquiring a VIP newly placed here (assigned or claimed): a renewal round within <see cref="AcquireWindow"/>,
    /// shared by every VIP placed meanwhile, and the timers.
    /// </summary>
    private void Acquire(Placed placed)
    {
        _placed[placed.Vip.Address.ToString()] = placed;
        if (!Timers.IsTimerActive("acquire")) Timers.StartSingleTimer("acquire", AcquireTick.Instance, AcquireWindow);
        // Only the renewals can change: a VIP not yet held has no expiry, and ArmTimers looks at every placed VIP (per
        // assignment, a burst of 500 was 125,000 looks on the actor loop, measured at ~0.4 ms an assignment).
        StartRenewals();
    }

    private OwnerLease NewLease(long epoch) => new(_lease, epoch, _voters);

    private void OnRevoke(Revoke revoke)
    {
        if (_placed.TryGetValue(revoke.Vip, out var placed) && placed.Lease.Epoch < revoke.Epoch)
            GiveUp(revoke.Vip, placed, $"placed elsewhere at epoch {revoke.Epoch}", learntEpoch: revoke.Epoch);
    }

    /// <summary>
    /// Sends one renewal round for every placed VIP: one RenewBatch to every voter, with an item for each VIP whose lease has
    /// not ended (one message per voter per round, whatever the number of VIPs).
    /// </summary>
    /// <param name="acquiringOnly">
    /// Only the VIPs not yet granted: a burst of assignments arrives over hundreds of milliseconds, and a round of every placed
    /// VIP per acquisition window sent the 500 already held again every few milliseconds (to voters that are the allocator
    /// sending the burst, too), which spread a 500-VIP graceful hand-over over 400 ms. The held ones renew on the periodic round.
    /// </param>
    private void SendRenewals(bool acquiringOnly = false)
    {
        var now = _clock.Now;
        // One id for the whole round, shared by every lease: the send time in ticks, bumped above the previous round's. Each
        // lease's ids so stay what OwnerLease's own would be (never below the send time, strictly increasing), and an id
        // names one round of this agent, so an answer can only ever match the renewal of its own round.
        var id = Math.Max(_lastRenewalId + 1, now.Ticks);
        var items = _voters.ToDictionary(v => v, _ => new List<RenewItem>(_placed.Count));
        foreach (var (vip, placed) in _placed)
        {
            if (placed.Lease.IsEnded || acquiringOnly && placed.Validity is not null) continue;
            placed.Lease.NextRenewal(now, id);
            // Every voter renews its promise; only those the lease needs for a majority answer.
            foreach (var voter in _voters)
                items[voter].Add(placed.RenewItem(vip, placed.Lease.WantsAckFrom(voter)));
        }
        if (items.Values.All(i => i.Count == 0)) return;
        _lastRenewalId = id;
        foreach (var voter in _voters)
            Voter(voter).Tell(new RenewBatch(_self, id, _fingerprint?.Digest, items[voter]), Self);
    }

    /// <summary>A voter's answers to one batch: each item goes where a single RenewAck or RenewNack of its VIP would.</summary>
    private void OnAnswers(RenewAnswers answers)
    {
        // The timers once for the whole batch: they look at every placed VIP, and once per ack made a round of 1,000 VIPs
        // cost a million steps on the actor loop.
        var arm = false;
        foreach (var a in answers.Items)
        {
            if (a.Refusal is { } reason)
                OnNack(new RenewNack(a.Vip, a.Epoch, answers.Voter, answers.RenewalId, reason, a.HighestEpoch, a.PromisedTo, a.VoterFingerprint));
            else
                arm |= Acked(a.Vip, a.Epoch, answers.Voter, answers.RenewalId);
        }
        if (arm) ArmTimers();
    }

    private void OnAck(RenewAck ack)
    {
        if (Acked(ack.Vip, ack.Epoch, ack.Voter, ack.RenewalId)) ArmTimers();
    }

    /// <summary>The VIPs whose holder put them in the kernel (<see cref="HolderLease.InKernel"/>): the ones the agent's batches refresh.</summary>
    private IEnumerable<HeldVip> InKernel() =>
        _placed.Values.Where(p => p is { Holder: not null, Link: not null, Validity.InKernel: true }).Select(p => p.Held());

    /// <summary>
    /// The kernel work a message caused, batched, at its end (<see cref="AroundReceive"/>): first the VIPs given up (fence
    /// elements closed and addresses removed in one batch each, then their holders stopped), then one fence transaction for
    /// every lease the message extended, then the VIPs newly granted (fence elements opened and addresses added in one batch
    /// each, then their holders started). A failover or a graceful stop moves hundreds of VIPs in one message, and each
    /// holder doing its own kernel calls one after the other was most of the time the last of them took (docs/BENCHMARKS.md).
    /// </summary>
    private void FlushKernelWork()
    {
        if (_armDue)
        {
            _armDue = false;
            ArmTimers();
        }
        // The allocator first: it places the VIPs given up elsewhere while this node silences them.
        FlushMessages();
        if (_stopsDue.Count > 0)
        {
            _refresh.Silence(_stopsDue.Where(s => s.Held is not null).Select(s => s.Held!).ToList());
            foreach (var (holder, _) in _stopsDue) Context.Stop(holder);
            ReleaseSilenced(_stopsDue);
            _stopsDue.Clear();
            FlushMessages();
        }
        if (_fencesDue.Count > 0)
        {
            // Its own message: the give-ups it causes are batched and flushed like any other.
            if (_refresh.Fences(_fencesDue, () => InKernel().ToList()) is { } broken) Self.Tell(new FenceFailed(broken));
            _fencesDue.Clear();
        }
        if (_grantsDue.Count > 0)
        {
            // Granted in this message and not given up since (a give-up ends and drops the holder's lease).
            var granted = _grantsDue.Where(g => g.Placed is { Holder: null, Validity: not null, Link: not null } && _placed.TryGetValue(g.Vip, out var p) &&
                ReferenceEquals(p, g.Placed)).ToList();
            _grantsDue.Clear();
            _refresh.Acquire(granted.Select(g => new HeldVip(g.Placed.Vip.Vip, g.Placed.Link!, g.Placed.Validity!)).ToList());
            foreach (var (vip, placed, epoch) in granted)
            {
                placed.Holder = Context.ActorOf(VipActor.Props(placed.Link!, placed.Vip, _settings, _drivers.Addresses, _drivers.Announcer, _drivers.Fence,
                    placed.Validity!, _drivers.LoadBalancer, new OwnerTag(epoch, _self), _pacer), Sanitize(vip));
                Context.Watch(placed.Holder);
            }
            if (granted.Count > 0) ArmTimers();
        }
    }

    /// <summary>
    /// The releases of the VIPs the batch just silenced (fence closed and address removed, both acknowledged by the kernel) go
    /// now, not once each holder has stopped: with 500 VIPs the last holder's stop came tens of milliseconds later (with load
    /// balancing, after its IPVS teardown), and the successor's acquisition waits for the release. Nothing of the holder can
    /// make the node answer afterwards: its lease ended before the batch (<see cref="StopHolder"/>), so an announce or address
    /// add begun since skips, and one begun before it is waited for (<see cref="HolderLease.Acting"/>: such a VIP waits for its
    /// holder to stop, as does one with a holder still stopping from before, or one the batch did not silence).
    /// </summary>
    private void ReleaseSilenced(IReadOnlyCollection<(IActorRef Holder, HeldVip? Held)> stopped)
    {
        var now = _clock.Now;
        foreach (var byVip in stopped.Where(s => s.Held is { Lease: { Silenced: true, Acting: false } }).GroupBy(s => _stopping[s.Holder].Vip))
        {
            foreach (var (holder, _) in byVip) _stopping[holder].Silenced = true;
            if (_stoppingByVip[byVip.Key] != byVip.Count() || !_releases.Remove(byVip.Key, out var pending)) continue;
            SendRelease(byVip.Key, pending, now);
        }
    }

    /// <summary>A pending release goes to the voters while the lease it releases still runs, else not at all.</summary>
    private void SendRelease(string vip, PendingRelease pending, TimeSpan now)
    {
        if (now < pending.Deadline)
        {
            _releasesDue.Add(pending.Release);
            return;
        }
        _log.Warning("not releasing vip={0} epoch={1} node={2}: silencing it ended {3} ms after its lease; the voters' promises run out",
            vip, pending.Release.Epoch, _self, (int)(now - pending.Deadline).TotalMilliseconds);
    }

    /// <summary>
    /// Sends what the message has for the allocator (its <see cref="Released"/>) and the voters (their releases), each in one
    /// message: a graceful stop of 500 VIPs was 500 messages to the allocator and 1,500 to the voters, serialized one by one
    /// while the VIPs were being handed over. A single one goes as itself.
    /// </summary>
    private void FlushMessages()
    {
        if (_renewalsAcked.Count > 0)
        {
            Context.System.EventStream.Publish(_renewalsAcked.Count == 1 ? _renewalsAcked[0] : new LeaseRenewalsAcked(_renewalsAcked.ToList()));
            _renewalsAcked.Clear();
        }
        if (_eligibilityDue)
        {
            _eligibilityDue = false;
            TellEligibility();
        }
        if (_releasedDue.Count > 0)
        {
            _allocator.Tell(_releasedDue.Count == 1 ? _releasedDue[0] : new ReleasedBatch(_releasedDue.ToList()));
            _releasedDue.Clear();
        }
        if (_releasesDue.Count > 0)
        {
            TellVoters(_releasesDue.Count == 1 ? _releasesDue[0] : new ReleaseBatch(_self, _releasesDue.Select(r => new ReleaseItem(r.Vip, r.Epoch)).ToList()));
            _releasesDue.Clear();
        }
    }

    /// <summary>Takes one ack; returns whether the timers need arming again (the lease lasts longer, or a holder has no expiry armed).</summary>
    private bool Acked(string vip, long epoch, NodeId voter, long renewalId)
    {
        if (!_placed.TryGetValue(vip, out var placed) || placed.Lease.Epoch != epoch) return false;
        var extended = placed.Lease.OnAck(renewalId, voter);
        var now = _clock.Now;
        // Renewal ids are the send time in ticks (OwnerLease), so this is send-to-majority time.
        if (extended) _renewalsAcked.Add(new LeaseRenewalAcked(vip, epoch, TimeSpan.FromTicks(Math.Max(0, now.Ticks - renewalId))));
        if (!placed.Lease.IsValid(now)) return false;
        // Dropping the previous epoch's lease may bring the VIP's end forward: look at every lease before the next message.
        if (placed.Previous is not null) _firstExpiry = TimeSpan.Zero;
        placed.Previous = null;
        if (placed is { Holder: null, Validity: null })
        {
            if (IsStopping(vip)) return false; // the previous holder is still removing the address
            // Its own interface (placed only while it is up: a link loss gives up the VIPs on it).
            if (!_links.TryGetValue(_settings.InterfaceOf(placed.Vip), out var link)) return false;
            placed.Validity = new HolderLease(_clock, now + placed.Lease.Remaining(now));
            placed.Link = link;
            // Its holder starts at the end of this message, with every other VIP granted in it (FlushKernelWork).
            _grantsDue.Add((vip, placed, epoch));
            _log.Info("lease granted vip={0} epoch={1} node={2} valid-for-ms={3}", vip, epoch, _self,
                (int)placed.Lease.Remaining(now).TotalMilliseconds);
            Context.System.EventStream.Publish(new VipAcquired(vip, epoch, _self));
        }
        else if (extended)
        {
            // The new end first: the fence timeout is computed from it.
            placed.Validity?.Extend(now + placed.Lease.Remaining(now));
            if (placed is { Validity.InKernel: true, Link: not null }) _fencesDue.Add(placed.Held());
            else placed.Holder?.Tell(LeaseRenewed.Instance); // the holder has not put it in the kernel yet: it tries again
        }
        return extended || placed.Validity is not null && !_expiryArmed;
    }

    private void OnNack(RenewNack nack)
    {
        if (!_placed.TryGetValue(nack.Vip, out var placed) || placed.Lease.Epoch != nack.Epoch) return;
        if (nack.Reason is Messages.Ownership.NackReason.SettingsDiffer) WarnSettingsDiffer(nack);
        // OnNack ends the lease when it gives up: what was left of it bounds the release (GiveUp).
        var now = _clock.Now;
        var validUntil = now + placed.Remaining(now);
        if (placed.Lease.OnNack(nack.RenewalId, nack.Voter, nack.Reason, nack.HighestEpoch))
        {
            GiveUp(nack.Vip, placed, $"voter {nack.Voter} knows epoch {nack.HighestEpoch}", validUntil: validUntil, learntEpoch: nack.HighestEpoch);
            return;
        }
        // A deputy's claim may yield while it acquires: a voter promised to a node that is not the owner it replaces means
        // another deputy or the allocator placed the VIP too, and both holding on would split the votes for good.
        if (placed.Claim is { } claim && placed.Holder is null && !placed.IsValid(now) && nack.Reason is Messages.Ownership.NackReason.PromisedToOther &&
            nack.PromisedTo is { } other && DeputyPlacement.ClaimYields(_self, other, claim.PreviousOwner, _voters, now - placed.ClaimedAt, _lease))
        {
            GiveUp(nack.Vip, placed, $"voter {nack.Voter} promised it to {other}, which claims it too", learntEpoch: nack.HighestEpoch);
            return;
        }
        // Still acquiring and refused (a release not yet seen by that voter): try again soon rather than a
        // whole renew-interval later, which is what a graceful handover would otherwise wait (measured 131 ms).
        if (placed.Holder is null && nack.Reason is Messages.Ownership.NackReason.PromisedToOther)
            Timers.StartSingleTimer("acquire-retry", AcquireTick.Instance, AcquireRetry < _lease.RenewInterval ? AcquireRetry : _lease.RenewInterval);
    }

    /// <summary>
    /// A voter with other voters, N, lease-time or margin refused: its ack does not count (OwnerLease keeps a valid lease),
    /// and the operator learns once per VIP and voter which setting differs, with both values.
    /// </summary>
    private void WarnSettingsDiffer(RenewNack nack)
    {
        if (!_settingsRefusals.Add((nack.Vip, nack.Voter, nack.VoterFingerprint))) return;
        var differences = _fingerprint?.Differences(LeaseFingerprint.Parse(nack.VoterFingerprint)) ?? [];
        _log.Warning("a voter refuses this node's lease renewals: its settings differ, and its ack does not count until every node has the same " +
            "seeds (in the same order), nodes, lease.lease-time and lease.margin (docs/OPERATIONS.md) vip={0} node={1} voter={2} differences={3}",
            nack.Vip, _self, nack.Voter, differences.Count > 0 ? string.Join("; ", differences) : "it did not say which");
    }

    /// <summary>Drops every held VIP whose lease ran out; true when it dropped one (the timers then need re-arming).</summary>
    private bool DropExpiredLeases()
    {
        var now = _clock.Now;
        var dropped = false;
        foreach (var (vip, placed) in _placed)
        {
            if (placed.Holder is not null && !placed.IsValid(now))
            {
                _log.Warning("lease lost, dropping the VIP vip={0} epoch={1} node={2}", vip, placed.Lease.Epoch, _self);
                StopHolder(vip, placed, "lease lost");
                dropped = true;
            }
        }
        return dropped;
    }

    /// <summary>
    /// Drops the VIP, tells the voters the promise may go once the VIP is silenced, and tells the allocator at once (it
    /// places the successor, whose acquisition then waits for the release or for the promises to run out).
    /// </summary>
    /// <param name="learntEpoch">The epoch that made it give up (a refusal's or a revoke's); the allocator re-places above it.</param>
    private void GiveUp(string vip, Placed placed, string reason, bool tellAllocator = true, TimeSpan? validUntil = null, long learntEpoch = 0)
    {
        _log.Info("releasing vip={0} epoch={1} node={2} reason={3}", vip, placed.Lease.Epoch, _self, reason);
        // The release may go only while the lease still runs: after its end the voters' promises are running out on their
        // own, and a release then could free them while a slow silencing still let this node answer past its lease.
        var now = _clock.Now;
        var deadline = validUntil ?? now + placed.Remaining(now);
        StopHolder(vip, placed, reason);
        placed.Lease.End();
        _placed.Remove(vip);
        _armDue = true;
        var release = new ReleaseLease(vip, placed.Lease.Epoch, _self);
        if (IsStopping(vip))
            _releases[vip] = new PendingRelease(release, deadline);
        else
            _releasesDue.Add(release); // never held (still acquiring): nothing of it is in the kernel
        if (tellAllocator) _releasedDue.Add(new Released(vip, placed.Lease.Epoch, _self, learntEpoch));
    }

    private bool IsStopping(string vip) => _stoppingByVip.ContainsKey(vip);

    private void TellVoters(object message)
    {
        foreach (var voter in _voters)
            Voter(voter).Tell(message, Self);
    }

    private ActorSelection Voter(NodeId voter) => Context.ActorSelection(VoterActor.PathOf(voter));

    /// <summary>
    /// Ends the holder's lease at once and stops the holder at the end of this message, after the VIPs given up in it are
    /// silenced in one batch (<see cref="FlushKernelWork"/>). A holder granted in this very message was never started.
    /// </summary>
    private void StopHolder(string vip, Placed placed, string reason)
    {
        // Before the stop: a tick already queued for the holder or its announcer must find the lease over.
        placed.Validity?.End();
        if (placed.Holder is { } holder)
        {
            Context.System.EventStream.Publish(new VipReleased(vip, placed.Lease.Epoch, _self, reason));
            _stopping[holder] = new Stopping(vip);
            _stoppingByVip[vip] = _stoppingByVip.GetValueOrDefault(vip) + 1;
            // A holder always has both (set together at its grant); without them it silences its own VIP as it stops.
            var held = placed is { Validity: { } lease, Link: { } link } ? new HeldVip(placed.Vip.Vip, link, lease) : null;
            _stopsDue.Add((holder, held));
        }
        placed.Validity = null;
        placed.Link = null;
        placed.Holder = null;
    }

    private void OnReleaseAll(ReleaseAll request)
    {
        _leaving = true;
        // Voters first (each as soon as its VIP is silenced): the successor's first renewal must find our promise
        // released, or it waits a renew-interval.
        var released = _placed.ToList();
        foreach (var (vip, placed) in released)
            GiveUp(vip, placed, request.Reason, tellAllocator: false);
        // Leaving before Released (sent at the end of this message), so that the allocator's next decision no longer counts this node.
        _allocator.Tell(new Leaving(_self));
        foreach (var (vip, placed) in released)
            _releasedDue.Add(new Released(vip, placed.Lease.Epoch, _self));
        _releaseAllRequester = Sender;
        ReplyIfReleased();
    }

    private void OnSilenced(Silenced silenced)
    {
        // From a holder this agent stopped; a restarting holder (PreRestart runs PostStop) is not in _stopping.
        if (_stopping.TryGetValue(Sender, out var stopping)) stopping.Silenced = silenced.Ok;
    }

    /// <summary>
    /// A holder is gone: its PostStop closed the fence and removed the address, and said whether the kernel acknowledged
    /// both (<see cref="Silenced"/>, which arrives first). The pending release of its VIP leaves now, and only if it did,
    /// no other holder of the VIP is still stopping, and the lease has not ended meanwhile.
    /// </summary>
    private void OnTerminated(Terminated terminated)
    {
        if (!_stopping.Remove(terminated.ActorRef, out var stopping)) return;
        if (_stoppingByVip[stopping.Vip] == 1) _stoppingByVip.Remove(stopping.Vip);
        else _stoppingByVip[stopping.Vip]--;
        var vip = stopping.Vip;
        if (!stopping.Silenced && _releases.Remove(vip, out var failed))
        {
            _log.Warning("not releasing vip={0} epoch={1} node={2}: it was not silenced; the voters' promises run out within {3} ms",
                vip, failed.Release.Epoch, _self, (int)_lease.PromiseTime.TotalMilliseconds);
        }
        if (!IsStopping(vip) && _releases.Remove(vip, out var pending)) SendRelease(vip, pending, _clock.Now);
        ReplyIfReleased();
    }

    private void ReplyIfReleased()
    {
        if (_releaseAllRequester is null || _stopping.Count > 0) return;
        _releaseAllRequester.Tell(AllReleased.Instance);
        _releaseAllRequester = null;
    }

    private static string Sanitize(string vip) => "vip-" + vip.Replace(':', '_').Replace('/', '_');
}
