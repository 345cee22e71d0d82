namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>Values from include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h and if.h.</summary>
internal static class Rtm
{
    // Message types
    public const ushort NewLink = 16;
    public const ushort DelLink = 17;
    public const ushort GetLink = 18;
    public const ushort NewAddr = 20;
    public const ushort DelAddr = 21;
    public const ushort GetAddr = 22;

    // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
    public const int IfInfoMsgSize = 16;
    // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
    public const int IfAddrMsgSize = 8;
    // struct ifa_cacheinfo { u32 ifa_prefered; u32 ifa_valid; u32 cstamp; u32 tstamp; }
    public const int IfaCacheInfoSize = 16;

    // IFLA_* link attributes
    public const ushort IflaAddress = 1;
    public const ushort IflaIfName = 3;
    public const ushort IflaMtu = 4;
    public const ushort IflaOperState = 16;
    public const ushort IflaCarrier = 33;

    // IF_OPER_* (RFC 2863 operational states)
    public const byte OperUnknown = 0;
    public const byte OperUp = 6;

    // IFF_* device flags
    public const uint IffUp = 0x1;
    public const uint IffRunning = 0x40;
    public const uint IffLowerUp = 0x10000;

    // Multicast groups (RTMGRP_* bit masks for nl_groups)
    public const uint GroupLink = 0x1;

    // IFA_* address attributes
    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaLabel = 3;
    public const ushort IfaCacheInfo = 6;
    public const ushort IfaFlags = 8;

    // IFA_F_* address flags
    public const uint IfaFSecondary = 0x01;
    public const uint IfaFNoDad = 0x02;
    public const uint IfaFDeprecated = 0x20;
    public const uint IfaFTentative = 0x40;
    public const uint IfaFPermanent = 0x80;
    public const uint IfaFNoPrefixRoute = 0x200;

    public const byte ScopeUniverse = 0;

    /// <summary>A lifetime of "forever" in ifa_cacheinfo.</summary>
    public const uint InfiniteLifetime = 0xFFFFFFFF;

    public const byte AfInet = 2;
    public const byte AfInet6 = 10;
}
