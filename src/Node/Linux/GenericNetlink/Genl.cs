namespace ActorVip.Node.Linux.GenericNetlink;

/// <summary>Values from include/uapi/linux/genetlink.h.</summary>
internal static class Genl
{
    public const int HeaderSize = 4; // struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }

    // The controller family that resolves names to ids.
    public const ushort IdCtrl = 0x10;
    public const byte CtrlCmdGetFamily = 3;
    public const byte CtrlVersion = 2;
    public const ushort CtrlAttrFamilyId = 1;
    public const ushort CtrlAttrFamilyName = 2;
    public const ushort CtrlAttrVersion = 3;
}
