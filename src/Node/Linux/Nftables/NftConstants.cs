namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// Values from include/uapi/linux/netfilter/nf_tables.h, nfnetlink.h and netfilter.h (checked against the
/// 6.1 uapi headers on this host with a C program, and against the 6.18 sources). Attribute values marked
/// "be" are network byte order in the kernel's policy (nla_get_be32 / be64).
/// </summary>
internal static class Nft
{
    public const byte SubsysNftables = 10;    // NFNL_SUBSYS_NFTABLES
    public const ushort MsgBatchBegin = 0x10; // NFNL_MSG_BATCH_BEGIN = NLMSG_MIN_TYPE
    public const ushort MsgBatchEnd = 0x11;
    public const int NfgenmsgSize = 4;        // struct nfgenmsg { u8 family; u8 version; be16 res_id; }

    // enum nf_tables_msg_types
    public const byte MsgNewTable = 0;
    public const byte MsgGetTable = 1;
    public const byte MsgDelTable = 2;
    public const byte MsgNewChain = 3;
    public const byte MsgDelChain = 5;
    public const byte MsgNewRule = 6;
    public const byte MsgNewSet = 9;
    public const byte MsgGetSet = 10;
    public const byte MsgDelSet = 11;
    public const byte MsgNewSetElem = 12;
    public const byte MsgGetSetElem = 13;
    public const byte MsgDelSetElem = 14;

    /// <summary>The nlmsg_type of an nf_tables message: subsystem in the high byte.</summary>
    public static ushort MessageType(byte msg) => (ushort)((SubsysNftables << 8) | msg);

    // enum nft_table_attributes
    public const ushort TableName = 1;
    public const ushort TableFlags = 2;  // be32
    public const ushort TableUserData = 6; // nft's TLVs; type 0 is the comment (NFTNL_UDATA_TABLE_COMMENT)

    // enum nft_chain_attributes
    public const ushort ChainTable = 1;
    public const ushort ChainName = 3;
    public const ushort ChainHook = 4;   // nested nft_hook_attributes
    public const ushort ChainPolicy = 5; // be32 verdict
    public const ushort ChainType = 7;   // "filter", "nat", "route"

    // enum nft_hook_attributes
    public const ushort HookNum = 1;      // be32
    public const ushort HookPriority = 2; // be32, signed
    public const ushort HookDev = 3;      // string: the device of a netdev base chain

    // enum nft_rule_attributes
    public const ushort RuleTable = 1;
    public const ushort RuleChain = 2;
    public const ushort RuleExpressions = 4; // nested list of NFTA_LIST_ELEM

    public const ushort ListElem = 1;  // NFTA_LIST_ELEM
    public const ushort ExprName = 1;  // NFTA_EXPR_NAME
    public const ushort ExprData = 2;  // NFTA_EXPR_DATA

    // enum nft_set_attributes
    public const ushort SetTable = 1;
    public const ushort SetName = 2;
    public const ushort SetFlags = 3;   // be32
    public const ushort SetKeyType = 4; // be32, the nft userspace datatype id (display only)
    public const ushort SetKeyLen = 5;  // be32
    public const ushort SetId = 10;     // be32
    public const ushort SetTimeout = 11; // be64 ms

    // enum nft_set_flags
    public const uint SetFlagConstant = 0x2;
    public const uint SetFlagInterval = 0x4;
    public const uint SetFlagTimeout = 0x10;

    // enum nft_set_elem_list_attributes
    public const ushort ElemListTable = 1;
    public const ushort ElemListSet = 2;
    public const ushort ElemListElements = 3;

    // enum nft_set_elem_attributes
    public const ushort ElemKey = 1;        // nested nft_data_attributes
    public const ushort ElemTimeout = 4;    // be64 ms
    public const ushort ElemExpiration = 5; // be64 ms

    // enum nft_data_attributes / nft_verdict_attributes
    public const ushort DataValue = 1;
    public const ushort DataVerdict = 2;
    public const ushort VerdictCode = 1; // be32

    // netfilter.h verdicts
    public const int Drop = 0;
    public const int Accept = 1;

    // enum nft_registers: REG_VERDICT and the first 16-byte data register
    public const uint RegVerdict = 0;
    public const uint Reg1 = 1;

    // expression attributes
    public const ushort PayloadDreg = 1, PayloadBase = 2, PayloadOffset = 3, PayloadLen = 4;
    public const ushort MetaDreg = 1, MetaKey = 2;
    public const ushort CmpSreg = 1, CmpOp = 2, CmpData = 3;
    public const ushort LookupSet = 1, LookupSreg = 2, LookupSetId = 4, LookupFlags = 5;
    public const uint LookupFlagInvert = 1; // NFT_LOOKUP_F_INV
    public const ushort ImmediateDreg = 1, ImmediateData = 2;
    public const ushort CtDreg = 1, CtKey = 2, CtDirection = 3; // direction is a u8
    public const ushort MasqFlags = 1;
    public const ushort NatType = 1, NatFamily = 2, NatRegAddrMin = 3, NatRegAddrMax = 4, NatFlags = 7;

    // nft userspace datatype ids stored as the set key type (nftables datatype.h)
    public const uint TypeIpv4Addr = 7;
    public const uint TypeIpv6Addr = 8;

    // hooks: enum nf_inet_hooks, and NF_ARP_IN/OUT
    public const uint HookPrerouting = 0;
    public const uint HookInput = 1;
    public const uint HookForward = 2;
    public const uint HookOutput = 3;
    public const uint HookPostrouting = 4;
    public const uint HookArpIn = 0;
    public const uint HookArpOut = 1;
    public const uint HookBridgeForward = 2; // NF_BR_FORWARD
    public const uint HookNetdevEgress = 1;  // NF_NETDEV_EGRESS (Linux 5.16 and later)
}

/// <summary>The nf_tables address families (NFPROTO_*).</summary>
public enum NftFamily : byte
{
    Unspec = 0,
    Inet = 1,
    Ipv4 = 2,
    Arp = 3,
    Netdev = 5,
    Bridge = 7,
    Ipv6 = 10,
}
