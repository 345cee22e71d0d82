using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// The kernel fence over nftables netlink (no nft binary): see <see cref="FenceRuleset"/> for the rules.
/// Opens its netlink socket in the network namespace current at construction. Thread-safe. Given the VIP interfaces, it
/// also keeps the netdev egress table (a chain on each) (<see cref="FenceRuleset.AddEgress"/>) in step with the others, where the kernel
/// has the egress hook (Linux 5.16 and later); without it, it runs with the other tables only (<see cref="EgressWarning"/>).
/// Dispose closes the socket only: the tables stay, so that a stopped process stays fenced.
/// </summary>
public sealed class KernelFence : IFence
{
    public const string DefaultTable = "actorvip";

    private readonly NetlinkSocket _socket;
    private readonly object _gate = new();
    private HashSet<IPAddress> _guarded = new();

    private InboundFence _inbound;

    /// <param name="egressInterfaces">Every interface a VIP lives on, each fenced at egress; null or empty: no egress table.</param>
    public KernelFence(string table = DefaultTable, InboundFence? inbound = null, IReadOnlyList<string>? egressInterfaces = null)
    {
        _inbound = inbound ?? InboundFence.All;
        EgressInterfaces = egressInterfaces is { Count: > 0 } ? egressInterfaces : null;
        if (string.IsNullOrWhiteSpace(table) || table.Length > 255)
            throw new ArgumentException($"'{table}' is not a usable nftables table name (1 to 255 characters).", nameof(table));
        Table = table;
        _socket = NetlinkSocket.Open(Nl.Netfilter);
    }

    public string Table { get; }

    /// <summary>The interfaces whose egress the netdev table fences; null: no egress table.</summary>
    public IReadOnlyList<string>? EgressInterfaces { get; private set; }

    /// <summary>
    /// From the next <see cref="Install(IReadOnlyCollection{IPAddress})"/> on, this inbound rule and a chain on the egress of each of these
    /// interfaces (a reload's new VIP interface, or services that forward by directroute or tunnel).
    /// </summary>
    public void Reshape(InboundFence inbound, IReadOnlyList<string> egressInterfaces)
    {
        lock (_gate)
        {
            _inbound = inbound;
            EgressInterfaces = egressInterfaces.Count > 0 ? [.. egressInterfaces] : null;
        }
    }

    /// <summary>
    /// The netdev hook of the egress chain. A test sets one the kernel lacks (2, past NF_NETDEV_EGRESS), which the kernel
    /// refuses as a kernel before 5.16 refuses egress: EOPNOTSUPP, the hook is not in the chain type's hook mask.
    /// </summary>
    internal uint EgressHook { get; init; } = Nft.HookNetdevEgress;

    /// <summary>
    /// Whether the last <see cref="Install(IReadOnlyCollection{IPAddress})"/> put the egress chain in place (false before, or on a kernel
    /// without it).
    /// </summary>
    public bool EgressFenced { get; private set; }

    /// <summary>
    /// Set when <see cref="Install(IReadOnlyCollection{IPAddress})"/> found no netdev egress hook in this kernel and installed the other tables without it:
    /// the one line the node logs at start (docs/DESIGN-NOTES.md, "Kernel fence").
    /// </summary>
    public string? EgressWarning { get; private set; }

    /// <summary>
    /// Replaces any earlier fence of ours in one transaction, so there is no moment without one. A table of the same
    /// name that ActorVip did not make (no <see cref="NftOwnerMark"/>) stops it with an IOException before anything changes.
    /// </summary>
    public void Install(IReadOnlyCollection<IPAddress> vips) => Install(vips, []);

    /// <summary>
    /// As <see cref="Install(IReadOnlyCollection{IPAddress})"/>, with <paramref name="owned"/> (VIPs held while a reload re-guards)
    /// let through in the same transaction as the tables are replaced, so that they are never closed; past
    /// <see cref="MaxPerTransaction"/> of them the rest follow at once in their own.
    /// </summary>
    public void Install(IReadOnlyCollection<IPAddress> vips, IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> owned)
    {
        var first = owned.Where(o => o.Remaining > TimeSpan.Zero && vips.Contains(o.Vip)).Take(MaxPerTransaction).ToList();
        lock (_gate)
        {
            if (NftOwnerMark.Foreign(_socket, Table, FenceRuleset.TableFamilies).FirstOrDefault() is { } foreign)
                throw new IOException($"fence.table: {NftOwnerMark.Refusal(foreign)}");
            EgressFenced = false;
            try
            {
                OwnedAtInstall(Build(vips, EgressInterfaces), first, egress: EgressInterfaces is not null && vips.Count > 0).Commit(_socket);
                EgressFenced = EgressInterfaces is not null && vips.Count > 0;
                EgressWarning = null;
            }
            catch (NetlinkException e) when (EgressInterfaces is not null && IsWithoutEgress(e))
            {
                // The batch was rolled back as a whole: install the rest, so that the node runs on an older kernel.
                OwnedAtInstall(Build(vips, egressInterfaces: null), first, egress: false).Commit(_socket);
                // ENOENT: a device of the list is gone (a reload's new VIP interface deleted as it was installed); the next install
                // (a reload, a repair) tries the egress table again.
                var why = e.Errno == Errnos.ENOENT
                    ? $"the kernel could not bind the egress chain to interface {string.Join(", ", EgressInterfaces)} ({e.Message}: is one gone?)"
                    : $"this kernel has no nftables netdev egress hook for interface {string.Join(", ", EgressInterfaces)} ({e.Message}); " +
                      "Linux 5.16 or later with CONFIG_NETFILTER_EGRESS adds it";
                EgressWarning = $"fence: {why}; running without it: ActorVip's own gratuitous ARP and neighbour advertisements are held back by " +
                                "its lease checks only, not by the kernel fence";
            }
            _guarded = new HashSet<IPAddress>(vips);
            ReAddSetsExpiration ??= ProbeReAdd(vips);
        }
        if (owned.Count > first.Count) Own(owned.Where(o => vips.Contains(o.Vip)).Skip(first.Count).ToList());
    }

    /// <summary>The owned sets' elements of <paramref name="owned"/>, added to the batch that creates those sets.</summary>
    private NftBatch OwnedAtInstall(NftBatch batch, IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> owned, bool egress)
    {
        foreach (var family in FenceRuleset.AllFamilies)
        {
            var inFamily = owned.Where(o => FenceRuleset.FamiliesOf(o.Vip).Contains(family)).Select(o => OwnedElement(o.Vip, o.Remaining)).ToList();
            if (inFamily.Count > 0) batch.AddElements(family, Table, FenceRuleset.OwnedSet, inFamily);
        }
        if (egress)
        {
            foreach (var set in owned.GroupBy(o => FenceRuleset.EgressOwnedSet(o.Vip)))
                batch.AddElements(NftFamily.Netdev, Table, set.Key, set.Select(o => OwnedElement(o.Vip, o.Remaining)).ToList());
        }
        return batch;
    }

    /// <summary>An owned set's element letting <paramref name="vip"/> through for <paramref name="remaining"/>, in whole milliseconds
    /// rounded down: the fence must never outlive the lease.</summary>
    /// <param name="expiration">Whether the element also names its expiration, the same time (a re-add then sets its end).</param>
    private static NftElement OwnedElement(IPAddress vip, TimeSpan remaining, bool expiration = false)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(remaining.TotalMilliseconds)));
        return new NftElement(vip.GetAddressBytes(), timeout, expiration ? timeout : null);
    }

    /// <summary>
    /// Whether a re-add of a set element that names its expiration sets the element's end, longer and shorter alike, also
    /// with an unchanged timeout (Linux 6.12 and later; measured by
    /// <see cref="Install(IReadOnlyCollection{IPAddress})"/> once, on the installed tables): the refresh (Own) then writes one add per element instead of add,
    /// delete and add again, a third of the kernel's work on every renewal round (with 500 VIPs the largest part of an idle
    /// holder's CPU, docs/BENCHMARKS.md). Null before the first install; a test sets it to run the older kernels' way.
    /// </summary>
    public bool? ReAddSetsExpiration { get; internal set; }

    /// <summary>
    /// Re-adds a probe element (the unspecified address, never a VIP, so never let through) with the same timeout and a
    /// shorter, then a longer expiration, and reads what the kernel kept each time; removes it after. The same timeout is the
    /// point: a refresh re-adds each element with about the same time left, and the kernel leaves the end of an element
    /// re-added with an unchanged timeout alone unless the expiration is named (a probe with changing timeouts passed on a
    /// kernel where the elements then lapsed between refreshes). Any failure: the older way, which is always right.
    /// </summary>
    private bool ProbeReAdd(IReadOnlyCollection<IPAddress> vips)
    {
        var family = vips.Any(v => v.AddressFamily == AddressFamily.InterNetwork) ? NftFamily.Ipv4
            : vips.Count > 0 ? NftFamily.Ipv6 : (NftFamily?)null;
        if (family is not { } f) return false;
        var key = (f == NftFamily.Ipv4 ? IPAddress.Any : IPAddress.IPv6Any).GetAddressBytes();
        TimeSpan? ReAdd(TimeSpan expiration)
        {
            new NftBatch().AddElements(f, Table, FenceRuleset.OwnedSet, [new NftElement(key, TimeSpan.FromSeconds(60), expiration)]).Commit(_socket);
            return NftListing.Elements(_socket, f, Table, FenceRuleset.OwnedSet).FirstOrDefault(e => e.Key.AsSpan().SequenceEqual(key))?.Expiration;
        }
        try
        {
            ReAdd(TimeSpan.FromSeconds(60));
            var shorter = ReAdd(TimeSpan.FromSeconds(2));
            var longer = ReAdd(TimeSpan.FromSeconds(30));
            return shorter <= TimeSpan.FromSeconds(2) && longer > TimeSpan.FromSeconds(20) && longer <= TimeSpan.FromSeconds(30);
        }
        catch (NetlinkException)
        {
            return false;
        }
        finally
        {
            try
            {
                Close(new NftBatch(), f, FenceRuleset.OwnedSet, [key]).Commit(_socket);
            }
            catch (NetlinkException)
            {
                // It matches no VIP, and its timeout ends it.
            }
        }
    }

    /// <summary>One transaction: our old tables deleted, every family's table added, and the egress table if asked for.</summary>
    private NftBatch Build(IReadOnlyCollection<IPAddress> vips, IReadOnlyList<string>? egressInterfaces)
    {
        var batch = new NftBatch();
        NftOwnerMark.DeleteOurs(batch, _socket, Table, FenceRuleset.TableFamilies);
        foreach (var family in FenceRuleset.AllFamilies)
        {
            var guarded = vips.Where(v => FenceRuleset.FamiliesOf(v).Contains(family)).ToList();
            if (guarded.Count > 0) FenceRuleset.Add(batch, family, Table, guarded, _inbound);
        }
        if (egressInterfaces is not null && vips.Count > 0) FenceRuleset.AddEgress(batch, Table, egressInterfaces, vips, EgressHook);
        return batch;
    }

    /// <summary>
    /// The kernel lacks the netdev family (EAFNOSUPPORT) or its egress hook (EOPNOTSUPP before Linux 5.16), or cannot bind
    /// the chain to the device (ENOENT): refused by an operation on the netdev table.
    /// </summary>
    private static bool IsWithoutEgress(NetlinkException e) =>
        (e.Errno is Errnos.EOPNOTSUPP or Errnos.ENOENT or Errnos.EAFNOSUPPORT) && e.Operation.Contains(" netdev ", StringComparison.Ordinal);

    /// <summary>
    /// Where a re-add naming the expiration sets the element's end (<see cref="ReAddSetsExpiration"/>, Linux 6.12 and later), one
    /// add with the timeout and the expiration both the time left; elsewhere add,
    /// delete and add again in one batch: a plain re-add does not refresh the timeout up to Linux 6.11, and the first add
    /// makes the delete safe when the element is absent or expired (deleting those fails with ENOENT and would abort the batch).
    /// </summary>
    public void Own(IPAddress vip, TimeSpan remaining) => Own([(vip, remaining)]);

    /// <summary>
    /// Every VIP of <paramref name="vips"/> in one transaction per <see cref="MaxPerTransaction"/> (a holder's renewal round
    /// refreshes all of them at once: one transaction per VIP was thousands a second with 1,000 VIPs, issue 15); one whose
    /// time has run out is closed instead.
    /// </summary>
    public void Own(IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> vips)
    {
        // Where a re-add sets the element's end, each element names it (made once, not copied per set: 500 VIPs, 4 times a second).
        var expiration = ReAddSetsExpiration == true;
        Write(vips.Where(v => v.Remaining > TimeSpan.Zero).Select(v => (v.Vip, OwnedElement(v.Vip, v.Remaining, expiration))),
            expiration
                ? (batch, family, set, elements) => batch.AddElements(family, Table, set, elements)
                : (batch, family, set, elements) => batch.AddElements(family, Table, set, elements)
                    .DelElements(family, Table, set, elements.Select(e => e.Key))
                    .AddElements(family, Table, set, elements));
        foreach (var (vip, _) in vips.Where(v => v.Remaining <= TimeSpan.Zero)) Disown(vip);
    }

    /// <summary>
    /// How many VIPs one transaction refreshes. A set-element list is one netlink attribute, at most 64 KiB (an IPv6 element
    /// with its timeout takes 40 bytes), and the whole transaction must fit the socket's send buffer (wmem_max, 208 KiB by
    /// default) with its three families.
    /// </summary>
    public const int MaxPerTransaction = 256;

    /// <summary>
    /// One transaction per <see cref="MaxPerTransaction"/> elements: <paramref name="write"/> adds its operations on each owned
    /// set (every family guarding the VIPs, and the egress sets when fenced) that holds any of them.
    /// </summary>
    private void Write(IEnumerable<(IPAddress Vip, NftElement Element)> elements, Action<NftBatch, NftFamily, string, IReadOnlyList<NftElement>> write)
    {
        foreach (var chunk in elements.Chunk(MaxPerTransaction))
        {
            var batch = new NftBatch();
            CheckGuarded(chunk);
            foreach (var family in FenceRuleset.AllFamilies)
            {
                var inFamily = chunk.Where(e => FenceRuleset.FamiliesOf(e.Vip).Contains(family)).Select(e => e.Element).ToList();
                if (inFamily.Count > 0) write(batch, family, FenceRuleset.OwnedSet, inFamily);
            }
            if (EgressFenced)
            {
                foreach (var set in chunk.GroupBy(e => FenceRuleset.EgressOwnedSet(e.Vip)))
                    write(batch, NftFamily.Netdev, set.Key, set.Select(e => e.Element).ToList());
            }
            Commit(batch);
        }
    }

    /// <summary>Add then delete, so that an absent element is not an error.</summary>
    public void Disown(IPAddress vip) => Disown([vip]);

    /// <summary>
    /// Add (1 ms) then delete every VIP's element, so that an absent one is not an error; one transaction per
    /// <see cref="MaxPerTransaction"/>.
    /// </summary>
    public void Disown(IReadOnlyList<IPAddress> vips) =>
        Write(vips.Select(v => (v, new NftElement(v.GetAddressBytes()))),
            (batch, family, set, elements) => Close(batch, family, set, elements.Select(e => e.Key).ToList()));

    /// <summary>Adds (1 ms) then deletes each key's element of <paramref name="set"/>, so that an absent one is not an error.</summary>
    private NftBatch Close(NftBatch batch, NftFamily family, string set, IReadOnlyList<byte[]> keys) =>
        batch.AddElements(family, Table, set, keys.Select(k => new NftElement(k, TimeSpan.FromMilliseconds(1))))
            .DelElements(family, Table, set, keys);

    /// <summary>Deletes the fence's tables that carry ActorVip's mark; a table of the same name without it is left alone.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            var batch = new NftBatch();
            NftOwnerMark.DeleteOurs(batch, _socket, Table, FenceRuleset.TableFamilies);
            batch.Commit(_socket);
            _guarded = new HashSet<IPAddress>();
            EgressFenced = false;
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Throws for an element of a VIP the fence was not installed with; one look under the lock for a whole transaction.</summary>
    private void CheckGuarded(IReadOnlyList<(IPAddress Vip, NftElement Element)> elements)
    {
        foreach (var (vip, _) in elements)
        {
            if (vip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                throw new ArgumentException($"{vip} is not an IPv4 or IPv6 address.", nameof(elements));
        }
        lock (_gate)
        {
            foreach (var (vip, _) in elements)
            {
                if (!_guarded.Contains(vip))
                    throw new InvalidOperationException($"VIP {vip} is not guarded by the kernel fence: install the fence with it first.");
            }
        }
    }

    private void Commit(NftBatch batch)
    {
        lock (_gate) batch.Commit(_socket);
    }
}
