using System.Buffers.Binary;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// A base chain's hook: where in the packet path it runs and before or after whom (lower priority runs first); a netdev
/// chain also names its <paramref name="Device"/>.
/// </summary>
public sealed record NftHook(uint HookNum, int Priority, string Type = "filter", string? Device = null);

/// <summary>A named set of fixed-size keys (addresses); <see cref="Flags"/> from nft_set_flags, e.g. timeout.</summary>
public sealed record NftSetSpec(string Name, uint KeyType, uint KeyLength, uint Flags = 0);

/// <summary>
/// A set element: its key bytes (network order) and, for a timeout set, how long it lives; <see cref="Expiration"/>, when
/// given, is how long from now it still lives (what a re-add of an existing element must set: the kernel leaves the end
/// of an element re-added with an unchanged timeout where it was).
/// </summary>
public sealed record NftElement(byte[] Key, TimeSpan? Timeout = null, TimeSpan? Expiration = null);

/// <summary>
/// One nf_tables transaction: the operations are sent between BATCH_BEGIN and BATCH_END in a single
/// sendmsg and the kernel applies all of them or none (nfnetlink_rcv_batch aborts the whole batch on
/// any error). Every operation carries NLM_F_ACK, so an error names the operation that caused it.
/// </summary>
public sealed class NftBatch
{
    private readonly List<Operation> _operations = new();

    public int Count => _operations.Count;

    /// <summary>Adds a table; with a comment, as nft writes `comment "..."` (NFTA_TABLE_USERDATA, kernel 5.13 and later).</summary>
    public NftBatch AddTable(NftFamily family, string table, string? comment = null) =>
        Add($"add table {Name(family)} {table}", Nft.MsgNewTable, Nl.FCreate, family, w =>
        {
            w.AttrString(Nft.TableName, table).AttrU32BigEndian(Nft.TableFlags, 0);
            if (comment is not null) w.Attr(Nft.TableUserData, NftOwnerMark.EncodeComment(comment));
        });

    public NftBatch DelTable(NftFamily family, string table) =>
        Add($"delete table {Name(family)} {table}", Nft.MsgDelTable, 0, family,
            w => w.AttrString(Nft.TableName, table));

    /// <summary>Adds a chain; with a hook it is a base chain whose policy is accept (attributes in nft's order: type, policy, hook).</summary>
    public NftBatch AddChain(NftFamily family, string table, string chain, NftHook? hook = null) =>
        Add($"add chain {Name(family)} {table} {chain}", Nft.MsgNewChain, Nl.FCreate, family, w =>
        {
            w.AttrString(Nft.ChainTable, table).AttrString(Nft.ChainName, chain);
            if (hook is null) return;
            w.AttrString(Nft.ChainType, hook.Type).AttrU32BigEndian(Nft.ChainPolicy, Nft.Accept);
            w.BeginNested(Nft.ChainHook)
                .AttrU32BigEndian(Nft.HookNum, hook.HookNum)
                .AttrU32BigEndian(Nft.HookPriority, unchecked((uint)hook.Priority));
            if (hook.Device is not null) w.AttrString(Nft.HookDev, hook.Device);
            w.EndNested();
        });

    public NftBatch AddSet(NftFamily family, string table, NftSetSpec set)
    {
        var id = (uint)_operations.Count + 1; // unique within the batch, as NFTA_SET_ID must be
        return Add($"add set {Name(family)} {table} {set.Name}", Nft.MsgNewSet, Nl.FCreate, family, w => w
            .AttrString(Nft.SetTable, table)
            .AttrString(Nft.SetName, set.Name)
            .AttrU32BigEndian(Nft.SetFlags, set.Flags)
            .AttrU32BigEndian(Nft.SetKeyType, set.KeyType)
            .AttrU32BigEndian(Nft.SetKeyLen, set.KeyLength)
            .AttrU32BigEndian(Nft.SetId, id));
    }

    /// <summary>Adds elements; an element that is already there is not an error.</summary>
    public NftBatch AddElements(NftFamily family, string table, string set, IEnumerable<NftElement> elements)
    {
        var list = elements.ToList();
        return Add(() => $"add element {Name(family)} {table} {set} {{ {Keys(list.Select(e => e.Key))} }}", Nft.MsgNewSetElem, Nl.FCreate, family,
            w => WriteElements(w, table, set, list), ElementsSize(list.Count));
    }

    /// <summary>Deletes elements; an element that is not there fails the whole batch with ENOENT.</summary>
    public NftBatch DelElements(NftFamily family, string table, string set, IEnumerable<byte[]> keys)
    {
        var list = keys.Select(k => new NftElement(k)).ToList();
        return Add(() => $"delete element {Name(family)} {table} {set} {{ {Keys(list.Select(e => e.Key))} }}", Nft.MsgDelSetElem, 0, family,
            w => WriteElements(w, table, set, list), ElementsSize(list.Count));
    }

    /// <summary>Appends a rule made of <paramref name="expressions"/> to a chain.</summary>
    public NftBatch AddRule(NftFamily family, string table, string chain, IReadOnlyList<NftExpression> expressions) =>
        Add($"add rule {Name(family)} {table} {chain} [{string.Join(' ', expressions.Select(e => e.Name))}]", Nft.MsgNewRule,
            (ushort)(Nl.FCreate | Nl.FAppend), family, w =>
            {
                w.AttrString(Nft.RuleTable, table).AttrString(Nft.RuleChain, chain);
                w.BeginNested(Nft.RuleExpressions);
                foreach (var e in expressions) e.Encode(w);
                w.EndNested();
            });

    /// <summary>Sends the batch as one transaction and waits for every acknowledgement.</summary>
    /// <exception cref="NetlinkException">The kernel refused an operation (named in the message); nothing was applied.</exception>
    public void Commit(NetlinkSocket socket)
    {
        if (_operations.Count == 0) return;
        var writer = Encode(socket.NextSeq, out var describe);
        try
        {
            socket.Execute(writer, $"nftables batch of {_operations.Count} operations");
        }
        catch (NetlinkException e) when (e.Seq is { } seq && describe(seq) is { } operation)
        {
            throw new NetlinkException(e.Errno, $"nftables '{operation}' (the whole batch was rolled back)", e.KernelMessage) { Seq = seq };
        }
    }

    /// <summary>The wire form: BATCH_BEGIN, one message per operation, BATCH_END.</summary>
    /// <param name="describe">The text of the operation a sequence number was given to (what an error names), or null.</param>
    internal NetlinkWriter Encode(Func<uint> nextSeq, out Func<uint, string?> describe)
    {
        var operationBySeq = new Dictionary<uint, Operation>();
        describe = seq => operationBySeq.TryGetValue(seq, out var op) ? op.Describe() : null;
        // Sized for the whole batch at once: a refresh of 256 elements in three sets is ~40 KB, grown by doubling from 4 KB before.
        var writer = new NetlinkWriter(_operations.Sum(o => o.Size) + 64);
        WriteBatchMarker(writer, Nft.MsgBatchBegin, nextSeq());
        foreach (var op in _operations)
        {
            var seq = nextSeq();
            operationBySeq[seq] = op;
            writer.BeginMessage(Nft.MessageType(op.Message), (ushort)(Nl.FRequest | Nl.FAck | op.Flags), seq);
            WriteNfgenmsg(writer, op.Family, 0);
            op.Attributes(writer);
            writer.EndMessage();
        }
        WriteBatchMarker(writer, Nft.MsgBatchEnd, nextSeq());
        return writer;
    }

    internal static void WriteNfgenmsg(NetlinkWriter writer, NftFamily family, ushort resId)
    {
        var header = writer.Fixed(Nft.NfgenmsgSize);
        header[0] = (byte)family;
        header[1] = 0; // NFNETLINK_V0
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], resId);
    }

    internal static string Name(NftFamily family) => family switch
    {
        NftFamily.Ipv4 => "ip",
        NftFamily.Ipv6 => "ip6",
        NftFamily.Inet => "inet",
        NftFamily.Arp => "arp",
        NftFamily.Netdev => "netdev",
        NftFamily.Bridge => "bridge",
        _ => family.ToString().ToLowerInvariant(),
    };

    // Batch markers carry no ACK: the kernel answers the operations inside, not the markers.
    private static void WriteBatchMarker(NetlinkWriter writer, ushort type, uint seq)
    {
        writer.BeginMessage(type, Nl.FRequest, seq);
        WriteNfgenmsg(writer, NftFamily.Unspec, Nft.SubsysNftables);
        writer.EndMessage();
    }

    private static void WriteElements(NetlinkWriter w, string table, string set, IReadOnlyList<NftElement> elements)
    {
        w.AttrString(Nft.ElemListTable, table).AttrString(Nft.ElemListSet, set);
        w.BeginNested(Nft.ElemListElements);
        foreach (var e in elements)
        {
            w.BeginNested(Nft.ListElem);
            NftExpression.WriteValue(w, Nft.ElemKey, e.Key);
            if (e.Timeout is { } t) w.AttrU64BigEndian(Nft.ElemTimeout, (ulong)Math.Max(1, (long)t.TotalMilliseconds));
            if (e.Expiration is { } x) w.AttrU64BigEndian(Nft.ElemExpiration, (ulong)Math.Max(1, (long)x.TotalMilliseconds));
            w.EndNested();
        }
        w.EndNested();
    }

    private static string Keys(IEnumerable<byte[]> keys) => string.Join(", ", keys.Select(k =>
        k.Length is 4 or 16 ? new System.Net.IPAddress(k).ToString() : Convert.ToHexString(k)));

    private NftBatch Add(string description, byte message, ushort flags, NftFamily family, Action<NetlinkWriter> attributes) =>
        Add(() => description, message, flags, family, attributes);

    /// <summary>
    /// An operation whose description is written only when the kernel refuses it: an element list's text names every address,
    /// and a holder of 500 VIPs refreshing its fence 4 times a second spent a tenth of its idle CPU writing texts nobody read.
    /// </summary>
    private NftBatch Add(Func<string> describe, byte message, ushort flags, NftFamily family, Action<NetlinkWriter> attributes, int size = 256)
    {
        _operations.Add(new Operation(describe, message, flags, family, attributes, size));
        return this;
    }

    /// <summary>About what an element list takes on the wire: the headers and names, then each element with a 16-byte key and two times.</summary>
    private static int ElementsSize(int count) => 128 + 48 * count;

    /// <param name="Size">About how many bytes the operation takes on the wire (the writer grows past it if needed).</param>
    private sealed record Operation(Func<string> Describe, byte Message, ushort Flags, NftFamily Family, Action<NetlinkWriter> Attributes, int Size);
}
