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
/// per check-interval (one listing per interface, and one batch of replaces of the addresses old enough to need it). Each
/// VIP's holder did this for itself before, and with 1,000 VIPs that was thousands of netlink round trips a second on the
/// actor loop (docs/BENCHMARKS.md, "1,000 VIPs over real processes"). The holder (<see cref="VipActor"/>) still does the
/// first fence open and address add, and the last close and remove; this refreshes only VIPs whose holder did the first (<see cref="HolderLease.InKernel"/>).
/// Running on the agent's loop is what keeps a refresh from reopening a VIP given up: the agent gives up a VIP (and stops
/// its holder, which closes the fence) only in a later message, so every refresh of a VIP comes before its close.
/// Like the holder, it acts only while a lease covers the action (<see cref="HolderLease.Covers"/>) and undoes what a stall
/// inside a call carried past the lease's end.
/// </summary>
/// <param name="guarded">Every VIP the fence guards, for a repair (<see cref="Fences"/>).</param>
public sealed class KernelRefresh(IAddressDriver addresses, IFence? fence, AddressSettings addressSettings, IMonotonicClock clock, ILoggingAdapter log,
    IReadOnlyCollection<System.Net.IPAddress>? guarded = null)
{
    private readonly TimeSpan? validLifetime = addressSettings.ValidLifetime;

    /// <summary>Every VIP the fence guards; a reload that changes the VIPs (issue 14 §5) replaces it.</summary>
    public IReadOnlyCollection<System.Net.IPAddress>? Guarded
    {
        get => guarded;
        set => guarded = value;
    }

    /// <summary>Whether the last refresh failed and its repair too: the next failure is not logged again.</summary>
    private bool _failing;

    /// <summary>
    /// When this refresh last put each held VIP's address in the kernel (by <see cref="Acquire"/> or <see cref="Addresses"/>),
    /// so that an address is re-added only once it is <see cref="AddressSettings.RefreshAfter"/> old. An address its holder
    /// added itself is not here, and is re-added at the next check.
    /// </summary>
    private readonly Dictionary<System.Net.IPAddress, TimeSpan> _addedAt = new();

    /// <summary>
    /// Re-opens the fence of each VIP of <paramref name="due"/> until its lease's end, in as few transactions as the fence
    /// takes. When that fails (the tables were deleted or flushed by hand: every element's timeout then runs out and the
    /// VIPs go dark, or with `nft flush ruleset` they are served unfenced), it installs the fence again and opens every VIP
    /// of <paramref name="all"/> (every VIP this node holds), so a node repairs its fence within one renewal round.
    /// </summary>
    /// <returns>
    /// Why the fence is broken when the repair failed too (a foreign table of the fence's name, which Install leaves alone, or
    /// any refusal of nftables), else null: the agent then stops holding VIPs (<see cref="NodeAgent"/>), since renewing leases it
    /// cannot serve would keep every other node from serving them while its elements time out.
    /// </returns>
    public string? Fences(IReadOnlyCollection<HeldVip> due, Func<IReadOnlyCollection<HeldVip>>? all = null)
    {
        if (fence is null || due.Count == 0) return null;
        var wasFailing = _failing;
        var (covered, error) = Own(due);
        string? broken = null;
        if (covered is null && !(guarded is { Count: > 0 } && all is not null))
        {
            if (!wasFailing) log.Error("refreshing the fence of {0} VIPs failed: {1}", due.Count, error);
        }
        else if (covered is null)
        {
            var refreshError = error;
            if (Reinstall() is { } refused)
            {
                broken = refused;
            }
            else
            {
                (covered, error) = Own(all!());
                if (covered is not null)
                {
                    log.Warning("the kernel fence was missing or broken (deleted or flushed by hand?): installed it again and opened the {0} VIPs held here",
                        covered.Count);
                }
                else
                {
                    broken = Broken(error!);
                }
            }
            // Once per outage, not every round: the agent reports it to the allocator, /readyz and the metrics.
            if (broken is not null && !wasFailing) log.Error("refreshing the fence of {0} VIPs failed ({1}), and {2}", due.Count, refreshError, broken);
            _failing = broken is not null;
        }
        if (covered is null) return broken;
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
        return null;
    }

    /// <summary>
    /// Installs the fence again with nothing owned (a node whose fence broke holds nothing, and retries this until it works).
    /// </summary>
    /// <returns>Null once installed; else why not, in the words the agent reports to the allocator, /readyz and the metrics.</returns>
    public string? Reinstall()
    {
        if (fence is null || guarded is not { Count: > 0 }) return null;
        try
        {
            fence.Install(guarded);
            return null;
        }
        catch (Exception e)
        {
            return Broken(e.Message);
        }
    }

    private static string Broken(string error) => $"the kernel fence (nftables) can be neither refreshed nor installed again: {error}";

    /// <summary>
    /// Puts VIPs granted together in the kernel before their holders start: every fence element in one transaction, then
    /// each interface's addresses in one batch, fence first for each VIP as the holder does. Each one done is marked
    /// (<see cref="HolderLease.InKernel"/>), so its holder only announces it; one not done (a refusal, or a lease that ended
    /// during the calls, which is undone at once) is left to its holder, which tries itself.
    /// </summary>
    public void Acquire(IReadOnlyCollection<HeldVip> granted)
    {
        if (granted.Count == 0) return;
        IReadOnlyCollection<HeldVip> open = granted;
        if (fence is not null)
        {
            var now = clock.Now;
            var covered = granted.Where(h => h.Lease.Covers(now)).ToList();
            try
            {
                fence.Own(covered.Select(h => (h.Vip.Address, h.Lease.RemainingAt(now))).ToList());
            }
            catch (Exception e)
            {
                log.Warning("opening the fence of {0} VIPs granted together failed: {1}; each holder tries itself", covered.Count, e.Message);
                return;
            }
            open = covered;
        }
        foreach (var onLink in open.GroupBy(h => h.Link.Index))
        {
            var link = onLink.First().Link;
            var before = clock.Now;
            var due = onLink.Where(h => h.Lease.Covers(before)).ToList();
            try
            {
                addresses.Add(link, due.Select(h => h.Vip).ToList(), validLifetime);
                foreach (var h in due) _addedAt[h.Vip.Address] = before;
            }
            catch (Exception e)
            {
                log.Warning("adding {0} VIPs granted together to {1} failed: {2}; each holder tries itself", due.Count, link.Name, e.Message);
                continue;
            }
            var after = clock.Now;
            foreach (var h in due)
            {
                if (h.Lease.Covers(after))
                {
                    h.Lease.MarkInKernel();
                    continue;
                }
                // The lease ended during the calls (a stall): neither may stay a moment longer.
                log.Warning("vip={0} was added to {1} as its lease ended; removing it at once", h.Vip, link.Name);
                Undo(h);
            }
        }
    }

    /// <summary>
    /// Silences VIPs given up together before their holders stop: every fence element closed in one transaction, then each
    /// interface's addresses removed in one batch. Each one done is marked (<see cref="HolderLease.Silenced"/>), so its holder
    /// only reports it; on a failure those not done are left to their holders, which silence their own VIP as before.
    /// </summary>
    public void Silence(IReadOnlyCollection<HeldVip> stopping)
    {
        if (stopping.Count == 0) return;
        try
        {
            fence?.Disown(stopping.Select(h => h.Vip.Address).ToList());
        }
        catch (Exception e)
        {
            log.Warning("closing the fence of {0} VIPs given up together failed: {1}; each holder tries itself", stopping.Count, e.Message);
            return;
        }
        foreach (var onLink in stopping.GroupBy(h => h.Link.Index))
        {
            var link = onLink.First().Link;
            try
            {
                addresses.Remove(link, onLink.Select(h => h.Vip).ToList());
            }
            catch (Exception e)
            {
                log.Warning("removing {0} VIPs given up together from {1} failed: {2}; each holder tries itself", onLink.Count(), link.Name, e.Message);
                continue;
            }
            foreach (var h in onLink) h.Lease.MarkSilenced();
        }
    }

    private void Undo(HeldVip h)
    {
        try
        {
            fence?.Disown(h.Vip.Address);
            addresses.Remove(h.Link, h.Vip);
        }
        catch (Exception e)
        {
            log.Error("undoing vip={0} on {1} failed: {2}; its fence timeout and valid lifetime end it", h.Vip, h.Link.Name, e.Message);
        }
    }

    /// <summary>One call for every VIP whose lease covers it; the VIPs it covered, or null and the kernel's refusal.</summary>
    private (List<HeldVip>? Covered, string? Error) Own(IReadOnlyCollection<HeldVip> held)
    {
        var now = clock.Now;
        var covered = held.Where(h => h.Lease.Covers(now)).ToList();
        if (covered.Count == 0) return (covered, null);
        try
        {
            fence!.Own(covered.Select(h => (h.Vip.Address, h.Lease.RemainingAt(now))).ToList());
            _failing = false;
            return (covered, null);
        }
        catch (Exception e)
        {
            _failing = true;
            return (null, e.Message);
        }
    }

    /// <summary>
    /// Per interface: one listing (an address someone deleted is named and added again at once) and one batch of replaces of
    /// the addresses that are <see cref="AddressSettings.RefreshAfter"/> old, which refreshes their valid lifetime, so that a
    /// dead process's addresses lapse on their own.
    /// </summary>
    public void Addresses(IReadOnlyCollection<HeldVip> held)
    {
        var refreshAfter = addressSettings.RefreshAfter;
        foreach (var onLink in held.GroupBy(h => h.Link.Index))
        {
            var link = onLink.First().Link;
            var now = clock.Now;
            var due = onLink.Where(h => h.Lease.Covers(now)).ToList();
            if (due.Count == 0) continue;
            List<HeldVip> added = [];
            try
            {
                var present = addresses.Addresses(link);
                foreach (var h in due.Where(h => !present.Contains(h.Vip.Address)))
                    log.Warning("vip={0} was removed from {1} by someone else while owned; adding it again", h.Vip, link.Name);
                added = due.Where(h => !present.Contains(h.Vip.Address) || Aged(h, now, refreshAfter)).ToList();
                if (added.Count > 0) addresses.Add(link, added.Select(h => h.Vip).ToList(), validLifetime);
                foreach (var h in added) _addedAt[h.Vip.Address] = now;
            }
            catch (Exception e)
            {
                log.Error("refreshing {0} VIPs on {1} failed: {2}", due.Count, link.Name, e.Message);
            }
            // The lease ended during the calls (a stall): an address refreshed then must not stay up a moment longer.
            var after = clock.Now;
            foreach (var h in added.Where(h => !h.Lease.Covers(after)))
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
        // Forget VIPs no longer held: one held again later is re-added at its first check.
        if (_addedAt.Count > held.Count)
        {
            var still = held.Select(h => h.Vip.Address).ToHashSet();
            foreach (var gone in _addedAt.Keys.Where(a => !still.Contains(a)).ToList()) _addedAt.Remove(gone);
        }
    }

    /// <summary>Whether <paramref name="h"/>'s address is due a refresh of its lifetime: unknown here, or old enough.</summary>
    private bool Aged(HeldVip h, TimeSpan now, TimeSpan? refreshAfter) =>
        refreshAfter is { } after && (!_addedAt.TryGetValue(h.Vip.Address, out var at) || now - at >= after);
}
