using System.Text;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// ActorVip's mark on the nftables tables it makes: the table comment <see cref="Comment"/>, written as nft writes a
/// `comment "..."` (so `nft list tables` shows whose a table is). ActorVip deletes a table only when it carries the
/// mark: a table of the same name without it (a firewall's `filter`, a hand-made one) is someone else's.
/// </summary>
public static class NftOwnerMark
{
    public const string Comment = "owned by actorvip";

    /// <summary>nft's user data TLV (libnftnl udata): type 0 (NFTNL_UDATA_TABLE_COMMENT), length, the text and its NUL.</summary>
    public static byte[] EncodeComment(string comment)
    {
        var text = Encoding.UTF8.GetBytes(comment);
        if (text.Length + 1 > 255) throw new ArgumentException("an nftables comment has at most 254 bytes", nameof(comment));
        return [0, (byte)(text.Length + 1), .. text, 0];
    }

    /// <summary>The comment in a table's user data, or null when there is none (or it is not nft's TLV form).</summary>
    public static string? DecodeComment(ReadOnlySpan<byte> userData)
    {
        while (userData.Length >= 2)
        {
            var type = userData[0];
            var length = userData[1];
            if (2 + length > userData.Length) return null;
            var value = userData.Slice(2, length);
            if (type == 0) return Encoding.UTF8.GetString(value.TrimEnd((byte)0));
            userData = userData[(2 + length)..];
        }
        return null;
    }

    public static bool IsOurs(NftTableInfo table) => table.Comment == Comment;

    /// <summary>The tables named <paramref name="name"/> in <paramref name="families"/> that exist without the mark.</summary>
    public static IReadOnlyList<NftTableInfo> Foreign(NetlinkSocket socket, string name, IReadOnlyCollection<NftFamily> families) =>
        NftListing.Tables(socket).Where(t => t.Name == name && families.Contains(t.Family) && !IsOurs(t)).ToList();

    /// <summary>Adds to <paramref name="batch"/> the deletion of each table named <paramref name="name"/> that carries the mark; returns them.</summary>
    public static IReadOnlyList<NftTableInfo> DeleteOurs(NftBatch batch, NetlinkSocket socket, string name, IReadOnlyCollection<NftFamily> families)
    {
        var ours = NftListing.Tables(socket).Where(t => t.Name == name && families.Contains(t.Family) && IsOurs(t)).ToList();
        foreach (var table in ours) batch.DelTable(table.Family, table.Name);
        return ours;
    }

    /// <summary>The sentence for a table ActorVip will not touch.</summary>
    public static string Refusal(NftTableInfo table) =>
        $"nftables table {NftBatch.Name(table.Family)} {table.Name} exists and ActorVip did not make it (it lacks the comment \"{Comment}\"), " +
        "so ActorVip leaves it alone; choose another actorvip.fence.table, or delete that table if it is a leftover of an older ActorVip";
}
