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
    public void Every_operation_asks_for_an_ack_and_the_batch_markers_do_not()
    {
        var batch = new NftBatch().AddTable(NftFamily.Arp, "x").DelTable(NftFamily.Arp, "x");
        uint seq = 100;
        var writer = batch.Encode(() => seq++, out var bySeq);

        Assert.Equal([(100u, Nl.FRequest), (101u, (ushort)(Nl.FRequest | Nl.FAck | Nl.FCreate)), (102u, (ushort)(Nl.FRequest | Nl.FAck)), (103u, Nl.FRequest)],
            writer.Messages.Select(m => (m.Seq, m.Flags)));
        Assert.Equal("add table arp x", bySeq[101]);
        Assert.Equal("delete table arp x", bySeq[102]);
    }

    private static byte[] Encode(NftBatch batch)
    {
        uint seq = 0;
        return batch.Encode(() => seq++, out _).Written.ToArray();
    }

    private static void SetFlags(byte[] buffer, int messageOffset, ushort flags) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(messageOffset + 6), flags);
}
