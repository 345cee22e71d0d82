using System.Net;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// The fence's tables (docs/DESIGN.md, "The fence"), one per nf_tables family, each with a set `vips` of the guarded
/// addresses and a timeout set `owned`. A guarded VIP that is not in `owned` gets no traffic in and no
/// ARP / neighbour advertisement out, so a frozen or killed process stops answering for it on its own.
/// </summary>
internal static class FenceRuleset
{
    public const string VipsSet = "vips";
    public const string OwnedSet = "owned";
    public const string InboundChain = "inbound";
    public const string OutboundChain = "outbound";

    /// <summary>
    /// Prerouting at raw priority (-300): after defragmentation (-400), before conntrack (-200), so a fenced
    /// packet leaves no conntrack entry, and long before IPVS, whose first hooks are LOCAL_IN at
    /// NF_IP_PRI_NAT_SRC-2 = 98 and LOCAL_OUT at NF_IP_PRI_NAT_DST+1 = -99 (net/netfilter/ipvs/ip_vs_core.c).
    /// </summary>
    public static readonly NftHook Inbound = new(Nft.HookPrerouting, -300);
    public static readonly NftHook Ipv6Outbound = new(Nft.HookOutput, -300);
    public static readonly NftHook ArpOutbound = new(Nft.HookArpOut, 0);

    /// <summary>The families that hold a VIP of this address family.</summary>
    public static NftFamily[] FamiliesOf(IPAddress vip) => vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? [NftFamily.Ipv6]
        : [NftFamily.Ipv4, NftFamily.Arp];

    public static readonly NftFamily[] AllFamilies = [NftFamily.Ipv4, NftFamily.Arp, NftFamily.Ipv6];

    /// <summary>Adds one family's table with its sets, chain and rule.</summary>
    public static void Add(NftBatch batch, NftFamily family, string table, IReadOnlyCollection<IPAddress> vips, InboundFence? inbound = null)
    {
        inbound ??= InboundFence.All;
        var v6 = family == NftFamily.Ipv6;
        var keyType = v6 ? Nft.TypeIpv6Addr : Nft.TypeIpv4Addr;
        var keyLength = v6 ? 16u : 4u;
        batch.AddTable(family, table, NftOwnerMark.Comment)
            .AddSet(family, table, new NftSetSpec(VipsSet, keyType, keyLength))
            .AddSet(family, table, new NftSetSpec(OwnedSet, keyType, keyLength, Nft.SetFlagTimeout));
        if (vips.Count > 0)
            batch.AddElements(family, table, VipsSet, vips.Select(v => new NftElement(v.GetAddressBytes())));
        switch (family)
        {
            case NftFamily.Ipv4:
                if (inbound.Enabled)
                {
                    batch.AddChain(family, table, InboundChain, Inbound)
                        .AddRule(
                            family, table, InboundChain,
                            [.. OnInterface(inbound), .. UnownedDrop(new PayloadExpr(PayloadBase.Network, 16, 4))]); // ip daddr
                }
                break;
            case NftFamily.Ipv6:
                if (inbound.Enabled)
                {
                    batch.AddChain(family, table, InboundChain, Inbound)
                        .AddRule(
                            family, table, InboundChain,
                            [.. OnInterface(inbound), .. UnownedDrop(new PayloadExpr(PayloadBase.Network, 24, 16))]); // ip6 daddr
                }
                batch.AddChain(family, table, OutboundChain, Ipv6Outbound)
                    .AddRule(family, table, OutboundChain,
                    [
                        new MetaExpr(MetaKey.L4Proto), new CmpExpr(CmpOp.Eq, [58]),                          // icmpv6
                        new PayloadExpr(PayloadBase.Transport, 0, 1), new CmpExpr(CmpOp.Eq, [136]),          // neighbour advertisement
                        .. UnownedDrop(new PayloadExpr(PayloadBase.Transport, 8, 16)),                     // its target address
                    ]);
                break;
            case NftFamily.Arp:
                batch.AddChain(family, table, OutboundChain, ArpOutbound)
                    .AddRule(family, table, OutboundChain,
                    [
                        // hlen 6, plen 4: only then is the sender IP at offset 8 + 6 = 14
                        new PayloadExpr(PayloadBase.Network, 4, 2), new CmpExpr(CmpOp.Eq, [6, 4]),
                        .. UnownedDrop(new PayloadExpr(PayloadBase.Network, 14, 4)),                      // arp saddr ip
                    ]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, "The fence has tables for ip, ip6 and arp only.");
        }
    }

    /// <summary>`iifname "IF"` (the name zero-padded to IFNAMSIZ, as nft writes it), or nothing.</summary>
    private static NftExpression[] OnInterface(InboundFence inbound)
    {
        if (inbound.OnlyInterface is not { } name) return [];
        var padded = new byte[16];
        System.Text.Encoding.ASCII.GetBytes(name, padded);
        return [new MetaExpr(MetaKey.IifName), new CmpExpr(CmpOp.Eq, padded)];
    }

    /// <summary>`ADDR @vips ADDR != @owned drop`, with ADDR loaded by <paramref name="load"/>.</summary>
    private static NftExpression[] UnownedDrop(PayloadExpr load) =>
        [load, new LookupExpr(VipsSet), load, new LookupExpr(OwnedSet, Invert: true), VerdictExpr.Drop];
}
