using ActorVip.Messages.Agent;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>
/// Holds one VIP on this node for as long as it lives: opens the fence, adds the address and announces it on start; closes
/// the fence and removes the address when stopped, and tells the parent whether both succeeded (<see cref="Silenced"/>),
/// which releases the lease only then. In between, the agent refreshes the fence and the address of every VIP it holds in
/// one batch (<see cref="KernelRefresh"/>) once this holder has put them in the kernel (<see cref="HolderLease.InKernel"/>);
/// until then each renewal's <see cref="LeaseRenewed"/> makes it try again.
/// The parent starts it only while the quorum lease is valid and stops it the moment it is not; and because a stall can
/// deliver a timer or a renewal late, every fence open, address add and announce first checks the shared
/// <see cref="HolderLease"/> and is skipped once the lease has ended.
/// </summary>
public sealed class VipActor : ReceiveActor
{
    private readonly InterfaceInfo _link;
    private readonly VipAddress _vip;
    private readonly IReadOnlyList<ServiceConfig> _services;
    private readonly NodeSettings _settings;
    private readonly IAddressDriver _addresses;
    private readonly IAnnouncer _announcer;
    private readonly IFence? _fence;
    private readonly HolderLease _lease;
    private readonly LoadBalancerDrivers? _lb;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly OwnerTag _owner;
    private readonly AnnouncePacer? _pacer;
    private bool _added;

    public VipActor(InterfaceInfo link, VipConfig vip, NodeSettings settings, IAddressDriver addresses, IAnnouncer announcer, IFence? fence,
        HolderLease lease, LoadBalancerDrivers? lb = null, OwnerTag? owner = null, AnnouncePacer? pacer = null)
    {
        _pacer = pacer;
        _owner = owner ?? OwnerTag.Unknown;
        _link = link;
        _vip = vip.Vip;
        _services = settings.ServicesOf(vip);
        _settings = settings;
        _addresses = addresses;
        _announcer = announcer;
        _fence = fence;
        _lease = lease;
        _lb = lb;
        Receive<LeaseRenewed>(_ =>
        {
            // A lease that had too little left at start (or a failed add) skipped the address: add it now, fence first.
            if (_added) return;
            using var acting = _lease.BeginAction();
            if (OpenFence()) Add();
        });
    }

    public static Props Props(InterfaceInfo link, VipConfig vip, NodeSettings settings, IAddressDriver addresses, IAnnouncer announcer, IFence? fence,
        HolderLease lease, LoadBalancerDrivers? lb = null, OwnerTag? owner = null, AnnouncePacer? pacer = null) =>
        Akka.Actor.Props.Create(() => new VipActor(link, vip, settings, addresses, announcer, fence, lease, lb, owner, pacer));

    protected override void PreStart()
    {
        // Put in the kernel by the agent with every VIP granted together (KernelRefresh.Acquire), or here, fence first: the
        // address must never be reachable through a closed fence.
        if (_lease.InKernel)
        {
            _added = true;
            LogAcquired();
        }
        else
        {
            using var acting = _lease.BeginAction();
            if (OpenFence()) Add();
        }
        Context.ActorOf(VipAnnouncer.Props(_link, _vip, _settings.Announce, _announcer, _lease, _pacer), "announcer");
        // A child: stopped (its IPVS service and NAT removed) before this actor closes the fence and removes the address.
        if (_services.Count > 0 && _lb is not null)
            Context.ActorOf(IpvsActor.Props(_vip, _services, _lb), "ipvs");
    }

    protected override void PostStop()
    {
        // Fence first, then the address; the parent releases the lease only when both are acknowledged (docs/DESIGN.md,
        // "Release"): a failure here leaves the voters' promises to run out instead.
        if (_lease.Silenced)
        {
            // The agent silenced it with every VIP given up together (KernelRefresh.Silence).
            _log.Info("released vip={0} epoch={1} node={2} interface={3}", _vip, _owner.Epoch, _owner.Node, _link.Name);
            Context.Parent.Tell(new Silenced(_vip.Address.ToString(), _owner.Epoch, true));
            return;
        }
        var silenced = true;
        try
        {
            _fence?.Disown(_vip.Address);
        }
        catch (Exception e)
        {
            silenced = false;
            _log.Error("closing the fence for vip={0} failed: {1}; not releasing the lease, its promises run out", _vip, e.Message);
        }
        try
        {
            _addresses.Remove(_link, _vip);
            _log.Info("released vip={0} epoch={1} node={2} interface={3}", _vip, _owner.Epoch, _owner.Node, _link.Name);
        }
        catch (Exception e)
        {
            silenced = false;
            _log.Error("removing vip={0} from {1} failed: {2}; not releasing the lease, its promises run out", _vip, _link.Name, e.Message);
        }
        // Before the parent's Terminated: both go through its mailbox, this first.
        Context.Parent.Tell(new Silenced(_vip.Address.ToString(), _owner.Epoch, silenced));
    }

    /// <summary>
    /// Lets the VIP through the fence until the lease's end, the timeout computed from it at the moment of the call; false
    /// (and the kernel untouched) when the lease has ended, or ends within the guard.
    /// </summary>
    private bool OpenFence()
    {
        var now = _lease.Clock.Now;
        if (!_lease.Covers(now))
        {
            _log.Warning("not opening the fence for vip={0} epoch={1}: its lease has {2} ms left, under the {3} ms guard (late after a stall)",
                // An ended lease reads as far in the past (HolderLease.Ended): 0 ms, not an overflowed int.
                _vip, _owner.Epoch, (int)Math.Max(0, _lease.RemainingAt(now).TotalMilliseconds), (int)HolderLease.Guard.TotalMilliseconds);
            return false;
        }
        if (_fence is null) return true;
        try
        {
            _fence.Own(_vip.Address, _lease.RemainingAt(now));
        }
        catch (Exception e)
        {
            _log.Error("opening the fence for vip={0} failed: {1}", _vip, e.Message);
        }
        // A stall inside the call: the element's timeout counts from when the kernel got it, so close it now rather than
        // let it outlive the lease by the stall.
        if (!_lease.Covers(_lease.Clock.Now))
        {
            CloseFenceEarly();
            return false;
        }
        return true;
    }

    private void CloseFenceEarly()
    {
        try
        {
            _fence?.Disown(_vip.Address);
        }
        catch (Exception e)
        {
            _log.Error("closing the fence for vip={0} after its lease ended failed: {1}; its timeout closes it", _vip, e.Message);
        }
    }

    private void LogAcquired() =>
        _log.Info("acquired vip={0} epoch={1} node={2} interface={3} mac={4}", _vip, _owner.Epoch, _owner.Node, _link.Name, _link.Mac);

    /// <summary>Adds the address (fence already open); once it is there, the agent's batches keep both fresh.</summary>
    private void Add()
    {
        if (!_lease.Covers(_lease.Clock.Now))
        {
            _log.Warning("not adding vip={0} epoch={1} to {2}: its lease has ended", _vip, _owner.Epoch, _link.Name);
            return;
        }
        try
        {
            // The valid lifetime makes a dead process's address lapse on its own; the agent's refresh renews it.
            _addresses.Add(_link, _vip, _settings.Address.ValidLifetime);
            if (!_lease.Covers(_lease.Clock.Now))
            {
                // The lease ended during the call (a stall): the address must not stay up a moment longer.
                _log.Warning("vip={0} epoch={1} was added to {2} as its lease ended; removing it at once", _vip, _owner.Epoch, _link.Name);
                _addresses.Remove(_link, _vip);
                return;
            }
            _added = true;
            _lease.MarkInKernel();
            LogAcquired();
        }
        catch (Exception e)
        {
            _log.Error("adding vip={0} to {1} failed: {2}", _vip, _link.Name, e.Message);
        }
    }
}
