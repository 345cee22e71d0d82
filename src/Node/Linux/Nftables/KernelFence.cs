using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// The kernel fence over nftables netlink (no nft binary): see <see cref="FenceRuleset"/> for the rules.
/// Opens its netlink socket in the network namespace current at construction. Thread-safe.
/// Dispose closes the socket only: the tables stay, so that a stopped process stays fenced.
/// </summary>
public sealed class KernelFence : IFence
{
    public const string DefaultTable = "actorvip";

    private readonly NetlinkSocket _socket;
    private readonly object _gate = new();
    private HashSet<IPAddress> _guarded = new();

    private readonly InboundFence _inbound;

    public KernelFence(string table = DefaultTable, InboundFence? inbound = null)
    {
        _inbound = inbound ?? InboundFence.All;
        if (string.IsNullOrWhiteSpace(table) || table.Length > 255)
            throw new ArgumentException($"'{table}' is not a usable nftables table name (1 to 255 characters).", nameof(table));
        Table = table;
        _socket = NetlinkSocket.Open(Nl.Netfilter);
    }

    public string Table { get; }

    /// <summary>
    /// Replaces any earlier fence of ours in one transaction, so there is no moment without one. A table of the same
    /// name that ActorVip did not make (no <see cref="NftOwnerMark"/>) stops it with an IOException before anything changes.
    /// </summary>
    public void Install(IReadOnlyCollection<IPAddress> vips)
    {
        lock (_gate)
        {
            if (NftOwnerMark.Foreign(_socket, Table, FenceRuleset.AllFamilies).FirstOrDefault() is { } foreign)
                throw new IOException($"fence.table: {NftOwnerMark.Refusal(foreign)}");
            var batch = new NftBatch();
            NftOwnerMark.DeleteOurs(batch, _socket, Table, FenceRuleset.AllFamilies);
            foreach (var family in FenceRuleset.AllFamilies)
            {
                var guarded = vips.Where(v => FenceRuleset.FamiliesOf(v).Contains(family)).ToList();
                if (guarded.Count > 0) FenceRuleset.Add(batch, family, Table, guarded, _inbound);
            }
            batch.Commit(_socket);
            _guarded = new HashSet<IPAddress>(vips);
        }
    }

    /// <summary>
    /// Add, delete and add again in one batch. The first add makes the delete safe when the element is absent
    /// or expired (deleting those fails with ENOENT and would abort the batch). A plain re-add does not
    /// refresh the timeout up to Linux 6.11; from 6.12 it does (measured on this host's 6.18: a re-add of an
    /// element with 2 s left and timeout 10 s showed "expires 9s984ms"), so the delete is for older kernels.
    /// </summary>
    public void Own(IPAddress vip, TimeSpan remaining)
    {
        if (remaining <= TimeSpan.Zero)
        {
            Disown(vip);
            return;
        }
        // Whole milliseconds, rounded down: the fence must never outlive the lease.
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(remaining.TotalMilliseconds)));
        var key = vip.GetAddressBytes();
        var batch = new NftBatch();
        foreach (var family in FamiliesGuarding(vip))
        {
            batch.AddElements(family, Table, FenceRuleset.OwnedSet, [new NftElement(key, timeout)])
                .DelElements(family, Table, FenceRuleset.OwnedSet, [key])
                .AddElements(family, Table, FenceRuleset.OwnedSet, [new NftElement(key, timeout)]);
        }
        Commit(batch);
    }

    /// <summary>Add then delete, so that an absent element is not an error.</summary>
    public void Disown(IPAddress vip)
    {
        var key = vip.GetAddressBytes();
        var batch = new NftBatch();
        foreach (var family in FamiliesGuarding(vip))
        {
            batch.AddElements(family, Table, FenceRuleset.OwnedSet, [new NftElement(key, TimeSpan.FromMilliseconds(1))])
                .DelElements(family, Table, FenceRuleset.OwnedSet, [key]);
        }
        Commit(batch);
    }

    /// <summary>Deletes the fence's tables that carry ActorVip's mark; a table of the same name without it is left alone.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            var batch = new NftBatch();
            NftOwnerMark.DeleteOurs(batch, _socket, Table, FenceRuleset.AllFamilies);
            batch.Commit(_socket);
            _guarded = new HashSet<IPAddress>();
        }
    }

    public void Dispose() => _socket.Dispose();

    private NftFamily[] FamiliesGuarding(IPAddress vip)
    {
        if (vip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"{vip} is not an IPv4 or IPv6 address.", nameof(vip));
        lock (_gate)
        {
            if (!_guarded.Contains(vip))
                throw new InvalidOperationException($"VIP {vip} is not guarded by the kernel fence: install the fence with it first.");
        }
        return FenceRuleset.FamiliesOf(vip);
    }

    private void Commit(NftBatch batch)
    {
        lock (_gate) batch.Commit(_socket);
    }
}
