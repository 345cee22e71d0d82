using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>One nf_tables rule expression; each encodes its own NFTA_EXPR_DATA attributes (nf_tables.h).</summary>
public abstract record NftExpression
{
    /// <summary>The kernel's expression name (NFTA_EXPR_NAME).</summary>
    public abstract string Name { get; }

    internal abstract void EncodeData(NetlinkWriter writer);

    internal void Encode(NetlinkWriter writer)
    {
        writer.BeginNested(Nft.ListElem);
        writer.AttrString(Nft.ExprName, Name);
        writer.BeginNested(Nft.ExprData);
        EncodeData(writer);
        writer.EndNested();
        writer.EndNested();
    }

    internal static void WriteValue(NetlinkWriter writer, ushort type, ReadOnlySpan<byte> value)
    {
        writer.BeginNested(type);
        writer.Attr(Nft.DataValue, value);
        writer.EndNested();
    }
}

/// <summary>enum nft_payload_bases.</summary>
public enum PayloadBase : uint { Link = 0, Network = 1, Transport = 2 }

/// <summary>The meta keys used here (enum nft_meta_keys).</summary>
public enum MetaKey : uint { Protocol = 1, IifName = 6, OifName = 7, NfProto = 15, L4Proto = 16 }

/// <summary>enum nft_cmp_ops.</summary>
public enum CmpOp : uint { Eq = 0, Neq = 1, Lt = 2, Lte = 3, Gt = 4, Gte = 5 }

/// <summary>The conntrack keys used here (enum nft_ct_keys).</summary>
public enum CtKey : uint { State = 0, Direction = 1, Src = 8, Dst = 9, SrcIp = 19, DstIp = 20, SrcIp6 = 21, DstIp6 = 22 }

/// <summary>enum ip_conntrack_dir.</summary>
public enum CtDirection : byte { Original = 0, Reply = 1 }

/// <summary>enum nft_nat_types.</summary>
public enum NatType : uint { Snat = 0, Dnat = 1 }

/// <summary>Loads <paramref name="Length"/> bytes at <paramref name="Offset"/> from a header into a register.</summary>
public sealed record PayloadExpr(PayloadBase Base, uint Offset, uint Length, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "payload";

    internal override void EncodeData(NetlinkWriter writer) => writer
        .AttrU32BigEndian(Nft.PayloadDreg, Register)
        .AttrU32BigEndian(Nft.PayloadBase, (uint)Base)
        .AttrU32BigEndian(Nft.PayloadOffset, Offset)
        .AttrU32BigEndian(Nft.PayloadLen, Length);
}

/// <summary>Loads packet metadata (protocol numbers) into a register.</summary>
public sealed record MetaExpr(MetaKey Key, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "meta";

    // Key before register, as nft writes it, so that captures of nft compare byte for byte.
    internal override void EncodeData(NetlinkWriter writer) => writer
        .AttrU32BigEndian(Nft.MetaKey, (uint)Key)
        .AttrU32BigEndian(Nft.MetaDreg, Register);
}

/// <summary>Compares a register with a constant; the rule stops here when the comparison fails.</summary>
public sealed record CmpExpr(CmpOp Op, byte[] Data, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "cmp";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.AttrU32BigEndian(Nft.CmpSreg, Register).AttrU32BigEndian(Nft.CmpOp, (uint)Op);
        WriteValue(writer, Nft.CmpData, Data);
    }
}

/// <summary>
/// Matches when a register is (or with <paramref name="Invert"/>, is not) in a named set. The kernel finds the
/// set by name, and by <paramref name="SetId"/> (NFTA_SET_ID of an AddSet earlier in the same batch) if given.
/// </summary>
public sealed record LookupExpr(string Set, bool Invert = false, uint? SetId = null, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "lookup";

    // Attribute order as nft writes it, so that captures of nft compare byte for byte.
    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.AttrU32BigEndian(Nft.LookupSreg, Register).AttrString(Nft.LookupSet, Set);
        if (SetId is { } id) writer.AttrU32BigEndian(Nft.LookupSetId, id);
        if (Invert) writer.AttrU32BigEndian(Nft.LookupFlags, Nft.LookupFlagInvert);
    }
}

/// <summary>An immediate verdict: accept or drop (netfilter.h NF_ACCEPT / NF_DROP).</summary>
public sealed record VerdictExpr(int Code) : NftExpression
{
    public static readonly VerdictExpr Drop = new(Nft.Drop);
    public static readonly VerdictExpr Accept = new(Nft.Accept);

    public override string Name => "immediate";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.AttrU32BigEndian(Nft.ImmediateDreg, Nft.RegVerdict);
        writer.BeginNested(Nft.ImmediateData);
        writer.BeginNested(Nft.DataVerdict);
        writer.AttrU32BigEndian(Nft.VerdictCode, unchecked((uint)Code));
        writer.EndNested();
        writer.EndNested();
    }
}

/// <summary>Loads a conntrack field (e.g. the original destination address) into a register.</summary>
public sealed record CtExpr(CtKey Key, CtDirection? Direction = null, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "ct";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.AttrU32BigEndian(Nft.CtDreg, Register).AttrU32BigEndian(Nft.CtKey, (uint)Key);
        if (Direction is { } d) writer.AttrU8(Nft.CtDirection, (byte)d);
    }
}

/// <summary>Source NAT to the outgoing interface's address (needs a nat chain at postrouting).</summary>
public sealed record MasqueradeExpr : NftExpression
{
    public override string Name => "masq";

    internal override void EncodeData(NetlinkWriter writer) { }
}

/// <summary>SNAT or DNAT to the address held in <paramref name="AddressRegister"/> (load it with an immediate first).</summary>
public sealed record NatExpr(NatType Type, NftFamily Family, uint AddressRegister = Nft.Reg1) : NftExpression
{
    public override string Name => "nat";

    internal override void EncodeData(NetlinkWriter writer) => writer
        .AttrU32BigEndian(Nft.NatType, (uint)Type)
        .AttrU32BigEndian(Nft.NatFamily, (byte)Family)
        .AttrU32BigEndian(Nft.NatRegAddrMin, AddressRegister);
}

/// <summary>Loads a constant into a data register (e.g. an address for <see cref="NatExpr"/>).</summary>
public sealed record ImmediateDataExpr(byte[] Data, uint Register = Nft.Reg1) : NftExpression
{
    public override string Name => "immediate";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.AttrU32BigEndian(Nft.ImmediateDreg, Register);
        WriteValue(writer, Nft.ImmediateData, Data);
    }
}
