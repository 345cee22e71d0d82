using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Node.Cleanup;

/// <summary>
/// ActorVip's own nftables tables (the fence, the masquerade NAT table), in whichever families they exist, and only
/// those that carry its mark (<see cref="NftOwnerMark"/>): a table of the same name without it is reported and left.
/// </summary>
public sealed class LeftoverTables(IReadOnlyList<string> names) : ICleanupStep
{
    public IReadOnlyList<string> Run()
    {
        using var socket = NetlinkSocket.Open(Nl.Netfilter);
        var present = NftListing.Tables(socket).Where(t => names.Contains(t.Name)).ToList();
        var ours = present.Where(NftOwnerMark.IsOurs).ToList();
        if (ours.Count > 0)
        {
            var batch = new NftBatch();
            foreach (var table in ours) batch.DelTable(table.Family, table.Name);
            batch.Commit(socket);
        }
        if (present.FirstOrDefault(t => !NftOwnerMark.IsOurs(t)) is { } foreign)
            throw new LeftAloneException(NftOwnerMark.Refusal(foreign), ours.Select(Line).ToList());
        return ours.Select(Line).ToList();
    }

    private static string Line(NftTableInfo t) => $"removed nftables table {NftBatch.Name(t.Family)} {t.Name}";
}

/// <summary>A step removed <see cref="Removed"/> but left something that is not ActorVip's, named in the message.</summary>
public sealed class LeftAloneException(string message, IReadOnlyList<string> removed) : IOException(message)
{
    public IReadOnlyList<string> Removed { get; } = removed;
}
