namespace ActorVip.Node.Configuration;

/// <summary>The names of the nftables tables ActorVip makes; it deletes no table whose name does not begin with <see cref="Prefix"/>.</summary>
public static class KernelFenceNames
{
    public const string Prefix = "actorvip";

    /// <summary>The masquerade NAT table of the NatActor (docs/DESIGN.md, "Masquerade without iptables").</summary>
    public const string NatTable = "actorvip-nat";
}
