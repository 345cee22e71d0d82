namespace ActorVip.Node.Linux.Netlink;

/// <summary>Values from include/uapi/linux/netlink.h.</summary>
internal static class Nl
{
    public const int HeaderSize = 16;   // struct nlmsghdr
    public const int AttrHeaderSize = 4; // struct nlattr

    // Protocols
    public const int Route = 0;
    public const int Netfilter = 12;
    public const int Generic = 16;

    // Message types
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;

    // Flags
    public const ushort FRequest = 0x1;
    public const ushort FMulti = 0x2;
    public const ushort FAck = 0x4;
    public const ushort FEcho = 0x8;
    public const ushort FDumpIntr = 0x10;
    public const ushort FRoot = 0x100;
    public const ushort FMatch = 0x200;
    public const ushort FDump = FRoot | FMatch;
    public const ushort FReplace = 0x100;
    public const ushort FExcl = 0x200;
    public const ushort FCreate = 0x400;
    public const ushort FAppend = 0x800;
    // Flags on an NLMSG_ERROR acknowledgement
    public const ushort FCapped = 0x100;
    public const ushort FAckTlvs = 0x200;

    // Attribute flags
    public const ushort AttrNested = 0x8000;
    public const ushort AttrNetByteOrder = 0x4000;
    public const ushort AttrTypeMask = 0x3fff;

    // Socket options (SOL_NETLINK)
    public const int SolNetlink = 270;
    public const int OptAddMembership = 1;
    public const int OptExtAck = 11;
    public const int OptGetStrictChk = 12;

    // Extended ack attributes (NLMSGERR_ATTR_*)
    public const ushort ErrAttrMsg = 1;

    public static int Align(int length) => (length + 3) & ~3;
}
