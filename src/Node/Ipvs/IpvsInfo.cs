namespace ActorVip.Node.Ipvs;

/// <summary>What GET_INFO reports: the IPVS version (0x010201 is 1.2.1) and the connection hash table size.</summary>
public sealed record IpvsInfo(uint Version, uint ConnectionTableSize)
{
    public string VersionText => $"{(Version >> 16) & 0xff}.{(Version >> 8) & 0xff}.{Version & 0xff}";
}
