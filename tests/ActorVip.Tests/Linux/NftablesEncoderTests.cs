using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Tests.Linux;

/// <summary>
/// Golden bytes captured from nft 1.0.6 with `strace -f -e trace=sendmsg -e write=all -xx nft ...` (the whole
/// sendmsg buffer: BATCH_BEGIN, the message, BATCH_END). nft numbers its messages 0, 1, 2 and leaves the port
/// id 0, as we do with the same sequence source; the one difference is that every operation of ours also
/// asks for an ACK (NLM_F_ACK 0x4), patched into the expected flags below and asserted on its own.
/// </summary>
public class NftablesEncoderTests
{
    // nft add table ip actorvip (one line per strace hex-dump line)
    private const string AddTableCapture =
        "14000000100001000000000000000000" +
        "0000000a2c000000000a010001000000" +
        "00000000020000000d0001006163746f" +
        "72766970000000000800020000000000" +
        "14000000110001000200000000000000" +
        "0000000a";

    // nft add table ip actorvip '{ comment "owned by actorvip"; }': the mark ActorVip puts on its tables
    private const string AddMarkedTableCapture =
        "14000000100001000000000000000000" +
        "0000000a44000000000a010001000000" +
        "00000000020000000d0001006163746f" +
        "72766970000000000800020000000000" +
        "1800060000126f776e65642062792061" +
        "63746f727669700014000000" +
        "1100010002000000000000000000000a";

    // nft add rule ip t c ip daddr @vips ip daddr != @owned drop   (sets vips and owned had set ids 1 and 2)
    private const string AddRuleCapture =
        "14000000100001000000000000000000" +
        "0000000a28010000060a010c01000000" +
        "00000000020000000600010074000000" +
        "06000200630000000401048034000180" +
        "0c0001007061796c6f61640024000280" +
        "08000100000000010800020000000001" +
        "08000300000000100800040000000004" +
        "300001800b0001006c6f6f6b75700000" +
        "20000280080002000000000109000100" +
        "76697073000000000800040000000001" +
        "340001800c0001007061796c6f616400" +
        "24000280080001000000000108000200" +
        "00000001080003000000001008000400" +
        "00000004380001800b0001006c6f6f6b" +
        "75700000280002800800020000000001" +
        "0a0001006f776e656400000008000400" +
        "00000002080005000000000130000180" +
        "0e000100696d6d656469617465000000" +
        "1c000280080001000000000010000280" +
        "0c000280080001000000000014000000" +
        "1100010002000000000000000000000a";

    // nft add chain netdev t egress '{ type filter hook egress device "veth0" priority 0; policy accept; }' (nft 1.0.6, Linux 6.18)
    private const string AddEgressChainCapture =
        "14000000100001000000000000000000" +
        "0000000a5c000000030a010401000000" +
        "00000000050000000600010074000000" +
        "0b00030065677265737300000b000700" +
        "66696c74657200000800050000000001" +
        "20000480080001000000000108000200" +
        "000000000a0003007665746830000000" +
        "14000000110001000200000000000000" +
        "0000000a";

    // nft add rule netdev t egress arp hlen 6 arp plen 4 arp saddr ip @vips4 arp saddr ip != @owned4 drop
    // (vips4 and owned4 had set ids 1 and 2)
    private const string AddEgressArpRuleCapture =
        "14000000100001000000000000000000" +
        "0000000adc010000060a010c01000000" +
        "00000000050000000600010074000000" +
        "0b0002006567726573730000b4010480" +
        "24000180090001006d65746100000000" +
        "14000280080002000000000108000100" +
        "000000012c00018008000100636d7000" +
        "20000280080001000000000108000200" +
        "000000000c0003800600010008060000" +
        "340001800c0001007061796c6f616400" +
        "24000280080001000000000108000200" +
        "00000001080003000000000408000400" +
        "000000022c00018008000100636d7000" +
        "20000280080001000000000108000200" +
        "000000000c0003800600010006040000" +
        "340001800c0001007061796c6f616400" +
        "24000280080001000000000108000200" +
        "00000001080003000000000e08000400" +
        "00000004300001800b0001006c6f6f6b" +
        "75700000200002800800020000000001" +
        "0a000100766970733400000008000400" +
        "00000001340001800c0001007061796c" +
        "6f616400240002800800010000000001" +
        "0800020000000001080003000000000e" +
        "0800040000000004380001800b000100" +
        "6c6f6f6b757000002800028008000200" +
        "000000010b0001006f776e6564340000" +
        "08000400000000020800050000000001" +
        "300001800e000100696d6d6564696174" +
        "650000001c0002800800010000000000" +
        "100002800c0002800800010000000000" +
        "14000000110001000200000000000000" +
        "0000000a";

    // nft add rule netdev t egress meta l4proto ipv6-icmp icmpv6 type nd-neighbor-advert @th,64,128 @vips6 @th,64,128 != @owned6 drop
    // (vips6 and owned6 had set ids 3 and 4; nft 1.0.6 has no name for the target field)
    private const string AddEgressNaRuleCapture =
        "14000000100001000000000000000000" +
        "0000000adc010000060a010c01000000" +
        "00000000050000000600010074000000" +
        "0b0002006567726573730000b4010480" +
        "24000180090001006d65746100000000" +
        "14000280080002000000001008000100" +
        "000000012c00018008000100636d7000" +
        "20000280080001000000000108000200" +
        "000000000c000380050001003a000000" +
        "340001800c0001007061796c6f616400" +
        "24000280080001000000000108000200" +
        "00000002080003000000000008000400" +
        "000000012c00018008000100636d7000" +
        "20000280080001000000000108000200" +
        "000000000c0003800500010088000000" +
        "340001800c0001007061796c6f616400" +
        "24000280080001000000000108000200" +
        "00000002080003000000000808000400" +
        "00000010300001800b0001006c6f6f6b" +
        "75700000200002800800020000000001" +
        "0a000100766970733600000008000400" +
        "00000003340001800c0001007061796c" +
        "6f616400240002800800010000000001" +
        "08000200000000020800030000000008" +
        "0800040000000010380001800b000100" +
        "6c6f6f6b757000002800028008000200" +
        "000000010b0001006f776e6564360000" +
        "08000400000000040800050000000001" +
        "300001800e000100696d6d6564696174" +
        "650000001c0002800800010000000000" +
        "100002800c0002800800010000000000" +
        "14000000110001000200000000000000" +
        "0000000a";

    [Fact]
    public void Add_table_matches_the_bytes_nft_sends()
    {
        var expected = Convert.FromHexString(AddTableCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate)); // nft: NLM_F_REQUEST only

        var written = Encode(new NftBatch().AddTable(NftFamily.Ipv4, "actorvip"));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void A_marked_table_matches_the_bytes_nft_sends_for_a_table_comment_and_reads_back()
    {
        var expected = Convert.FromHexString(AddMarkedTableCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate));

        var written = Encode(new NftBatch().AddTable(NftFamily.Ipv4, "actorvip", NftOwnerMark.Comment));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
        Assert.Equal(NftOwnerMark.Comment, NftOwnerMark.DecodeComment(NftOwnerMark.EncodeComment(NftOwnerMark.Comment)));
        Assert.Null(NftOwnerMark.DecodeComment([0, 40, 1, 2]));
    }

    [Fact]
    public void Add_rule_with_payload_lookup_and_drop_matches_the_bytes_nft_sends()
    {
        var expected = Convert.FromHexString(AddRuleCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate | Nl.FAppend)); // nft: REQUEST|CREATE|APPEND

        var daddr = new PayloadExpr(PayloadBase.Network, 16, 4);
        var written = Encode(new NftBatch().AddRule(NftFamily.Ipv4, "t", "c",
            [daddr, new LookupExpr("vips", SetId: 1), daddr, new LookupExpr("owned", Invert: true, SetId: 2), VerdictExpr.Drop]));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void The_egress_chain_on_a_device_matches_the_bytes_nft_sends()
    {
        var expected = Convert.FromHexString(AddEgressChainCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate)); // nft: REQUEST|CREATE

        var written = Encode(new NftBatch().AddChain(NftFamily.Netdev, "t", FenceRuleset.EgressChain, FenceRuleset.Egress("veth0")));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void The_egress_arp_rule_matches_the_bytes_nft_sends()
    {
        var expected = Convert.FromHexString(AddEgressArpRuleCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate | Nl.FAppend));

        var written = Encode(new NftBatch().AddRule(NftFamily.Netdev, "t", FenceRuleset.EgressChain,
            FenceRuleset.EgressArpRule(vipsSetId: 1, ownedSetId: 2)));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void The_egress_neighbour_advertisement_rule_matches_the_bytes_nft_sends()
    {
        var expected = Convert.FromHexString(AddEgressNaRuleCapture);
        SetFlags(expected, messageOffset: 20, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate | Nl.FAppend));

        var written = Encode(new NftBatch().AddRule(NftFamily.Netdev, "t", FenceRuleset.EgressChain,
            FenceRuleset.EgressNeighbourAdvertisementRule(vipsSetId: 3, ownedSetId: 4)));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(written));
    }

    [Fact]
    public void Every_operation_asks_for_an_ack_and_the_batch_markers_do_not()
    {
        var batch = new NftBatch().AddTable(NftFamily.Arp, "x").DelTable(NftFamily.Arp, "x");
        uint seq = 100;
        var writer = batch.Encode(() => seq++, out var describe);

        Assert.Equal([(100u, Nl.FRequest), (101u, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate)), (102u, (ushort)(Nl.FRequest | Nl.FAck)), (103u, Nl.FRequest)],
            writer.Messages.Select(m => (m.Seq, m.Flags)));
        Assert.Equal("add table arp x", describe(101));
        Assert.Equal("delete table arp x", describe(102));
    }

    private static byte[] Encode(NftBatch batch)
    {
        uint seq = 0;
        return batch.Encode(() => seq++, out _).Written.ToArray();
    }

    private static void SetFlags(byte[] buffer, int messageOffset, ushort flags) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(messageOffset + 6), flags);
}
