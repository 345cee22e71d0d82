using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>A table as the kernel lists it; Comment is nft's `comment "..."` (null when it has none).</summary>
public sealed record NftTableInfo(NftFamily Family, string Name, string? Comment = null);

/// <summary>A set element as the kernel lists it; Expiration is the time left before it stops matching.</summary>
public sealed record NftListedElement(byte[] Key, TimeSpan? Timeout, TimeSpan? Expiration);

/// <summary>Reads nf_tables state back (dumps), for tests and for `actorvip check`.</summary>
public static class NftListing
{
    /// <summary>Every table of <paramref name="family"/> (Unspec: of all families).</summary>
    public static IReadOnlyList<NftTableInfo> Tables(NetlinkSocket socket, NftFamily family = NftFamily.Unspec)
    {
        var writer = Dump(socket, Nft.MsgGetTable, family);
        writer.EndMessage();
        var tables = new List<NftTableInfo>();
        socket.Execute(writer, $"listing nftables tables ({NftBatch.Name(family)})", (in NetlinkMessage m) =>
        {
            if (m.Payload.Length < Nft.NfgenmsgSize) return;
            var attributes = m.Attributes(Nft.NfgenmsgSize);
            var name = attributes.String(Nft.TableName);
            var comment = attributes.TryGet(Nft.TableUserData, out var userData) ? NftOwnerMark.DecodeComment(userData) : null;
            if (name is not null) tables.Add(new NftTableInfo((NftFamily)m.Payload[0], name, comment));
        });
        return tables;
    }

    /// <summary>The elements of one set; fails with ENOENT when the table or set does not exist.</summary>
    public static IReadOnlyList<NftListedElement> Elements(NetlinkSocket socket, NftFamily family, string table, string set)
    {
        var writer = Dump(socket, Nft.MsgGetSetElem, family);
        writer.AttrString(Nft.ElemListTable, table).AttrString(Nft.ElemListSet, set);
        writer.EndMessage();
        var elements = new List<NftListedElement>();
        socket.Execute(writer, $"listing set {NftBatch.Name(family)} {table} {set}", (in NetlinkMessage m) =>
        {
            foreach (var item in m.Attributes(Nft.NfgenmsgSize).Nested(Nft.ElemListElements))
            {
                if (item.Type != Nft.ListElem) continue;
                var attrs = item.Nested;
                if (!attrs.Nested(Nft.ElemKey).TryGet(Nft.DataValue, out var key)) continue;
                elements.Add(new NftListedElement(key.ToArray(), Millis(attrs.U64BigEndian(Nft.ElemTimeout)),
                    Millis(attrs.U64BigEndian(Nft.ElemExpiration))));
            }
        });
        return elements;
    }

    private static NetlinkWriter Dump(NetlinkSocket socket, byte message, NftFamily family)
    {
        var writer = new NetlinkWriter();
        writer.BeginMessage(Nft.MessageType(message), (ushort)(Nl.FRequest | Nl.FDump), socket.NextSeq());
        NftBatch.WriteNfgenmsg(writer, family, 0);
        return writer;
    }

    private static TimeSpan? Millis(ulong? ms) => ms is { } v ? TimeSpan.FromMilliseconds(v) : null;
}
