using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using Akka.Event;

namespace ActorVip.Node.Actors;

/// <summary>One VIP this node holds, as the refresh sees it: where its address lives and the lease its holder shares.</summary>
public sealed record HeldVip(VipAddress Vip, InterfaceInfo Link, HolderLease Lease);

/// <summary>
/// Keeps the kernel state of every VIP held here fresh in batches, called by the <see cref="NodeAgent"/> on its own loop: the
/// fence elements once per renewal round that extended leases (one nftables transaction for all of them), the addresses once
/// per check-interval (one listing and one batch of replaces per interface). Each VIP's holder did this for itself before,
/// and with 1,000 VIPs that was thousands of netlink round trips a second on the actor loop (docs/BENCHMARKS.md, "1,000
/// VIPs over real processes"). The holder (<see cref="VipActor"/>) still does the first fence open and address add, and the
/// last close and remove; this refreshes only VIPs whose holder did the first (<see cref="HolderLease.InKernel"/>).
/// Running on the agent's loop is what keeps a refresh from reopening a VIP given up: the agent gives up a VIP (and stops
/// its holder, which closes the fence) only in a later message, so every refresh of a VIP comes before its close.
/// Like the holder, it acts only while a lease covers the action (<see cref="HolderLease.Covers"/>) and undoes what a stall
/// inside a call carried past the lease's end.
/// </summary>
public sealed class KernelRefresh(IAddressDriver addresses, IFence? fence, TimeSpan? validLifetime, IMonotonicClock clock, ILoggingAdapter log)
{
    /// <summary>Re-opens the fence of each VIP until its lease's end, in as few transactions as the fence takes.</summary>
    public void Fences(IReadOnlyCollection<HeldVip> held)
    {
        if (fence is null || held.Count == 0) return;
        var now = clock.Now;
        var covered = held.Where(h => h.Lease.Covers(now)).ToList();
        if (covered.Count == 0) return;
        try
        {
            fence.Own(covered.Select(h => (h.Vip.Address, h.Lease.RemainingAt(now))).ToList());
        }
        catch (Exception e)
        {
            log.Error("refreshing the fence of {0} VIPs failed: {1}", covered.Count, e.Message);
        }
        // A stall inside the call: an element's timeout counts from when the kernel got it, so close those whose lease ended
        // meanwhile rather than let them outlive it by the stall.
        var after = clock.Now;
        foreach (var h in covered.Where(h => !h.Lease.Covers(after)))
        {
            try
            {
                fence.Disown(h.Vip.Address);
            }
            catch (Exception e)
            {
                log.Error("closing the fence for vip={0} after its lease ended failed: {1}; its timeout closes it", h.Vip, e.Message);
            }
        }
    }

    /// <summary>
    /// Per interface: one listing (an address someone deleted is named and added again) and one batch of replaces, which
    /// refreshes each address's valid lifetime, so that a dead process's addresses lapse on their own.
    /// </summary>
    public void Addresses(IReadOnlyCollection<HeldVip> held)
    {
        foreach (var onLink in held.GroupBy(h => h.Link.Index))
        {
            var link = onLink.First().Link;
            var due = onLink.Where(h => h.Lease.Covers(clock.Now)).ToList();
            if (due.Count == 0) continue;
            try
            {
                var present = addresses.Addresses(link);
                foreach (var h in due.Where(h => !present.Contains(h.Vip.Address)))
                    log.Warning("vip={0} was removed from {1} by someone else while owned; adding it again", h.Vip, link.Name);
                addresses.Add(link, due.Select(h => h.Vip).ToList(), validLifetime);
            }
            catch (Exception e)
            {
                log.Error("refreshing {0} VIPs on {1} failed: {2}", due.Count, link.Name, e.Message);
            }
            // The lease ended during the calls (a stall): its address must not stay up a moment longer.
            var after = clock.Now;
            foreach (var h in due.Where(h => !h.Lease.Covers(after)))
            {
                log.Warning("vip={0} was refreshed on {1} as its lease ended; removing it at once", h.Vip, link.Name);
                try
                {
                    addresses.Remove(link, h.Vip);
                }
                catch (Exception e)
                {
                    log.Error("removing vip={0} from {1} failed: {2}; its valid lifetime ends it", h.Vip, link.Name, e.Message);
                }
            }
        }
    }
}
