namespace ActorVip.Node.Linux.Ipvs;

/// <summary>Values from include/uapi/linux/ip_vs.h (generic netlink interface, family "IPVS" version 1).</summary>
internal static class IpvsNl
{
    public const string FamilyName = "IPVS";
    public const byte Version = 1;

    // IPVS_CMD_*
    public const byte CmdNewService = 1;
    public const byte CmdSetService = 2;
    public const byte CmdDelService = 3;
    public const byte CmdGetService = 4;
    public const byte CmdNewDest = 5;
    public const byte CmdSetDest = 6;
    public const byte CmdDelDest = 7;
    public const byte CmdGetDest = 8;
    public const byte CmdSetConfig = 12;
    public const byte CmdGetConfig = 13;
    public const byte CmdSetInfo = 14;
    public const byte CmdGetInfo = 15;
    public const byte CmdZero = 16;
    public const byte CmdFlush = 17;

    // IPVS_CMD_ATTR_*
    public const ushort AttrService = 1;
    public const ushort AttrDest = 2;
    public const ushort AttrDaemon = 3;
    public const ushort AttrTimeoutTcp = 4;
    public const ushort AttrTimeoutTcpFin = 5;
    public const ushort AttrTimeoutUdp = 6;

    // IPVS_SVC_ATTR_*
    public const ushort SvcAf = 1;
    public const ushort SvcProtocol = 2;
    public const ushort SvcAddr = 3;
    public const ushort SvcPort = 4;
    public const ushort SvcFwmark = 5;
    public const ushort SvcSchedName = 6;
    public const ushort SvcFlags = 7;
    public const ushort SvcTimeout = 8;
    public const ushort SvcNetmask = 9;
    public const ushort SvcStats = 10;
    public const ushort SvcPeName = 11;
    public const ushort SvcStats64 = 12;

    // IPVS_DEST_ATTR_*
    public const ushort DestAddr = 1;
    public const ushort DestPort = 2;
    public const ushort DestFwdMethod = 3;
    public const ushort DestWeight = 4;
    public const ushort DestUThresh = 5;
    public const ushort DestLThresh = 6;
    public const ushort DestActiveConns = 7;
    public const ushort DestInactConns = 8;
    public const ushort DestPersistConns = 9;
    public const ushort DestStats = 10;
    public const ushort DestAddrFamily = 11;
    public const ushort DestStats64 = 12;
    public const ushort DestTunType = 13;
    public const ushort DestTunPort = 14;
    public const ushort DestTunFlags = 15;

    // IPVS_STATS_ATTR_*
    public const ushort StatsConns = 1;
    public const ushort StatsInPkts = 2;
    public const ushort StatsOutPkts = 3;
    public const ushort StatsInBytes = 4;
    public const ushort StatsOutBytes = 5;
    public const ushort StatsCps = 6;
    public const ushort StatsInPps = 7;
    public const ushort StatsOutPps = 8;
    public const ushort StatsInBps = 9;
    public const ushort StatsOutBps = 10;

    // IPVS_INFO_ATTR_*
    public const ushort InfoVersion = 1;
    public const ushort InfoConnTabSize = 2;

    // IP_VS_SVC_F_*
    public const uint SvcFPersistent = 0x1;
    public const uint SvcFHashed = 0x2;
    public const uint SvcFOnePacket = 0x4;
    public const uint SvcFSched1 = 0x8;
    public const uint SvcFSched2 = 0x10;
    public const uint SvcFSched3 = 0x20;

    public const uint ConnFFwdMask = 0x7;

    // Address families (linux/socket.h) as IPVS carries them.
    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;

    /// <summary>The size of union nf_inet_addr: service and destination addresses are sent in 16 bytes, as ipvsadm does.</summary>
    public const int InetAddrSize = 16;
}
