using System.Net;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// The fence's tables (docs/DESIGN.md, "The fence"), one per nf_tables family, each with a set `vips` of the guarded
/// addresses and a timeout set `owned`. A guarded VIP that is not in `owned` gets no traffic in and no
/// ARP / neighbour advertisement out, so a frozen or killed process stops answering for it on its own. Beside them, a
/// netdev table of the same name with an egress chain on each VIP interface (<see cref="AddEgress"/>) fences the frames the
/// process itself sends on a packet socket (gratuitous ARP, unsolicited NA), which no ip, ip6 or arp chain sees.
/// </summary>
internal static class FenceRuleset
{
    public const string VipsSet = "vips";
    public const string OwnedSet = "owned";
    public const string InboundChain = "inbound";
    public const string OutboundChain = "outbound";
    public const string EgressChain = "egress";
    public const string Vips4Set = "vips4";
    public const string Owned4Set = "owned4";
    public const string Vips6Set = "vips6";
    public const string Owned6Set = "owned6";

    /// <summary>
    /// Prerouting at raw priority (-300): after defragmentation (-400), before conntrack (-200), so a fenced
    /// packet leaves no conntrack entry, and long before IPVS, whose first hooks are LOCAL_IN at
    /// NF_IP_PRI_NAT_SRC-2 = 98 and LOCAL_OUT at NF_IP_PRI_NAT_DST+1 = -99 (net/netfilter/ipvs/ip_vs_core.c).
    /// </summary>
    public static readonly NftHook Inbound = new(Nft.HookPrerouting, -300);
    public static readonly NftHook Ipv6Outbound = new(Nft.HookOutput, -300);
    public static readonly NftHook ArpOutbound = new(Nft.HookArpOut, 0);

    /// <summary>Netdev egress (Linux 5.16 and later): every frame queued to the device, packet sockets' included.</summary>
    public static NftHook Egress(string device, uint hook = Nft.HookNetdevEgress) => new(hook, 0, Device: device);

    /// <summary>The families that hold a VIP of this address family.</summary>
    public static IReadOnlyList<NftFamily> FamiliesOf(IPAddress vip) => vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? Ipv6Families
        : Ipv4Families;

    // Shared, not made per call: a holder's refresh asks for every VIP it holds 4 times a second.
    private static readonly IReadOnlyList<NftFamily> Ipv4Families = Array.AsReadOnly([NftFamily.Ipv4, NftFamily.Arp]);
    private static readonly IReadOnlyList<NftFamily> Ipv6Families = Array.AsReadOnly([NftFamily.Ipv6]);

    public static readonly NftFamily[] AllFamilies = [NftFamily.Ipv4, NftFamily.Arp, NftFamily.Ipv6];

    /// <summary>Every family in which the fence may have a table: the ones above and the netdev egress table.</summary>
    public static readonly NftFamily[] TableFamilies = [.. AllFamilies, NftFamily.Netdev];

    /// <summary>The netdev table's owned set for this VIP (one per address length: a netdev table holds both).</summary>
    public static string EgressOwnedSet(IPAddress vip) =>
        vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Owned6Set : Owned4Set;

    /// <summary>
    /// The netdev table: sets of the guarded and owned VIPs per address length, kept in step with the other tables' `owned`
    /// in the same batch (KernelFence.Own), and an egress chain on each of <paramref name="devices"/> that drops an ARP whose sender
    /// address, or a neighbour advertisement whose target, is a guarded VIP this node does not own. The rules are what nft
    /// 1.0.6 writes for `arp hlen 6 arp plen 4 arp saddr ip @vips4 arp saddr ip != @owned4 drop` and `icmpv6 type
    /// nd-neighbor-advert @th,64,128 @vips6 @th,64,128 != @owned6 drop` in a netdev table (tests: NftablesEncoderTests).
    /// </summary>
    /// <param name="devices">Every interface a VIP of this node lives on: one egress chain each (a netdev base chain binds one device),
    /// named <see cref="EgressChainOf"/>; the sets are the table's, shared.</param>
    /// <param name="hook">The netdev hook number: egress, except in a test that plays a kernel without it.</param>
    public static void AddEgress(NftBatch batch, string table, IReadOnlyList<string> devices, IReadOnlyCollection<IPAddress> vips,
        uint hook = Nft.HookNetdevEgress)
    {
        var v4 = vips.Where(v => v.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        var v6 = vips.Where(v => v.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).ToList();
        const NftFamily family = NftFamily.Netdev;
        batch.AddTable(family, table, NftOwnerMark.Comment);
        if (v4.Count > 0)
        {
            batch.AddSet(family, table, new NftSetSpec(Vips4Set, Nft.TypeIpv4Addr, 4))
                .AddSet(family, table, new NftSetSpec(Owned4Set, Nft.TypeIpv4Addr, 4, Nft.SetFlagTimeout))
                .AddElements(family, table, Vips4Set, v4.Select(v => new NftElement(v.GetAddressBytes())));
        }
        if (v6.Count > 0)
        {
            batch.AddSet(family, table, new NftSetSpec(Vips6Set, Nft.TypeIpv6Addr, 16))
                .AddSet(family, table, new NftSetSpec(Owned6Set, Nft.TypeIpv6Addr, 16, Nft.SetFlagTimeout))
                .AddElements(family, table, Vips6Set, v6.Select(v => new NftElement(v.GetAddressBytes())));
        }
        for (var i = 0; i < devices.Count; i++)
        {
            var chain = EgressChainOf(devices, i);
            batch.AddChain(family, table, chain, Egress(devices[i], hook));
            if (v4.Count > 0) batch.AddRule(family, table, chain, EgressArpRule());
            if (v6.Count > 0) batch.AddRule(family, table, chain, EgressNeighbourAdvertisementRule());
        }
    }

    /// <summary>The egress chain of the i-th VIP interface: <see cref="EgressChain"/> for the first, egress-NAME for each other.</summary>
    public static string EgressChainOf(IReadOnlyList<string> devices, int i) => i == 0 ? EgressChain : $"{EgressChain}-{devices[i]}";

    /// <summary>
    /// `meta protocol arp`, hlen 6 and plen 4 (only then is the sender IP at offset 14), sender IP guarded and not owned:
    /// drop. A packet socket's frame carries its ethertype in skb->protocol (af_packet reads it from the header).
    /// </summary>
    internal static NftExpression[] EgressArpRule(uint? vipsSetId = null, uint? ownedSetId = null) =>
    [
        new MetaExpr(MetaKey.Protocol), new CmpExpr(CmpOp.Eq, [0x08, 0x06]),
        new PayloadExpr(PayloadBase.Network, 4, 2), new CmpExpr(CmpOp.Eq, [6, 4]),
        .. UnownedDrop(new PayloadExpr(PayloadBase.Network, 14, 4), Vips4Set, Owned4Set, vipsSetId, ownedSetId),
    ];

    /// <summary>ICMPv6 type 136 (neighbour advertisement) whose target (transport offset 8) is guarded and not owned: drop.</summary>
    internal static NftExpression[] EgressNeighbourAdvertisementRule(uint? vipsSetId = null, uint? ownedSetId = null) =>
    [
        new MetaExpr(MetaKey.L4Proto), new CmpExpr(CmpOp.Eq, [58]),
        new PayloadExpr(PayloadBase.Transport, 0, 1), new CmpExpr(CmpOp.Eq, [136]),
        .. UnownedDrop(new PayloadExpr(PayloadBase.Transport, 8, 16), Vips6Set, Owned6Set, vipsSetId, ownedSetId),
    ];

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
                if (inbound.Enabled) AddInbound(batch, family, table, inbound, new PayloadExpr(PayloadBase.Network, 16, 4)); // ip daddr
                break;
            case NftFamily.Ipv6:
                if (inbound.Enabled) AddInbound(batch, family, table, inbound, new PayloadExpr(PayloadBase.Network, 24, 16)); // ip6 daddr
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

    /// <summary>The inbound chain: one rule on every interface, or one rule per VIP interface (tunnel: every interface a VIP lives on).</summary>
    private static void AddInbound(NftBatch batch, NftFamily family, string table, InboundFence inbound, PayloadExpr daddr)
    {
        batch.AddChain(family, table, InboundChain, Inbound);
        if (inbound.OnlyInterfaces is not { } names)
        {
            batch.AddRule(family, table, InboundChain, UnownedDrop(daddr));
            return;
        }
        foreach (var name in names)
            batch.AddRule(family, table, InboundChain, [.. OnInterface(name), .. UnownedDrop(daddr)]);
    }

    /// <summary>`iifname "IF"` (the name zero-padded to IFNAMSIZ, as nft writes it).</summary>
    private static NftExpression[] OnInterface(string name)
    {
        var padded = new byte[16];
        System.Text.Encoding.ASCII.GetBytes(name, padded);
        return [new MetaExpr(MetaKey.IifName), new CmpExpr(CmpOp.Eq, padded)];
    }

    /// <summary>`ADDR @vips ADDR != @owned drop`, with ADDR loaded by <paramref name="load"/>.</summary>
    private static NftExpression[] UnownedDrop(PayloadExpr load, string vips = VipsSet, string owned = OwnedSet, uint? vipsSetId = null,
        uint? ownedSetId = null) =>
        [load, new LookupExpr(vips, SetId: vipsSetId), load, new LookupExpr(owned, Invert: true, SetId: ownedSetId), VerdictExpr.Drop];
}
