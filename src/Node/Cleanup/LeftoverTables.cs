using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Node.Cleanup;

/// <summary>ActorVip's own nftables tables (the fence, the masquerade NAT table), in whichever families they exist.</summary>
public sealed class LeftoverTables(IReadOnlyList<string> names) : ICleanupStep
{
    public IReadOnlyList<string> Run()
    {
        using var socket = NetlinkSocket.Open(Nl.Netfilter);
        var present = NftListing.Tables(socket).Where(t => names.Contains(t.Name)).ToList();
        if (present.Count == 0) return [];
        var batch = new NftBatch();
        foreach (var table in present) batch.DelTable(table.Family, table.Name);
        batch.Commit(socket);
        return present.Select(t => $"removed nftables table {NftBatch.Name(t.Family)} {t.Name}").ToList();
    }
}
