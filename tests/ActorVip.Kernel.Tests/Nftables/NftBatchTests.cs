using System.Net;
using System.Text.Json;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Kernel.Tests.Nftables;

/// <summary>The nftables netlink client against the real kernel, inside a namespace; `nft` only inspects.</summary>
public class NftBatchTests
{
    private static readonly byte[] Element = IPAddress.Parse("192.0.2.7").GetAddressBytes();

    [Fact]
    public void A_table_with_chain_set_element_and_rule_is_listed_by_nft_and_by_our_dump()
    {
        using var lab = new NetworkLab("nb");
        var ns = lab.AddNamespace("n");
        using var socket = Open(ns);

        new NftBatch()
            .AddTable(NftFamily.Ipv4, "t")
            .AddSet(NftFamily.Ipv4, "t", new NftSetSpec("s", Nft.TypeIpv4Addr, 4, Nft.SetFlagTimeout))
            .AddElements(NftFamily.Ipv4, "t", "s", [new NftElement(Element, TimeSpan.FromSeconds(60))])
            .AddChain(NftFamily.Ipv4, "t", "c", new NftHook(Nft.HookInput, -5))
            .AddRule(NftFamily.Ipv4, "t", "c", [new PayloadExpr(PayloadBase.Network, 16, 4), new LookupExpr("s", Invert: true), VerdictExpr.Drop])
            .Commit(socket);

        var ruleset = NftJson(lab, ns);
        var chain = Objects(ruleset, "chain").Single();
        Assert.Equal("input", chain.GetProperty("hook").GetString());
        Assert.Equal(-5, chain.GetProperty("prio").GetInt32());
        Assert.Equal("filter", chain.GetProperty("type").GetString());
        var set = Objects(ruleset, "set").Single();
        Assert.Equal("ipv4_addr", set.GetProperty("type").GetString());
        Assert.Contains("timeout", set.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("192.0.2.7", set.GetProperty("elem").GetRawText());
        var rule = Objects(ruleset, "rule").Single().GetProperty("expr").GetRawText();
        Assert.Contains("\"!=\"", rule);
        Assert.Contains("\"daddr\"", rule);
        Assert.Contains("\"@s\"", rule);
        Assert.Contains("\"drop\"", rule);

        Assert.Contains(new NftTableInfo(NftFamily.Ipv4, "t"), NftListing.Tables(socket));
        var listed = Assert.Single(NftListing.Elements(socket, NftFamily.Ipv4, "t", "s"));
        Assert.Equal(Element, listed.Key);
        Assert.Equal(TimeSpan.FromSeconds(60), listed.Timeout);
        Assert.InRange(listed.Expiration!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void An_element_with_a_1500_ms_timeout_is_listed_and_then_gone()
    {
        using var lab = new NetworkLab("nt");
        var ns = lab.AddNamespace("n");
        using var socket = Open(ns);
        new NftBatch()
            .AddTable(NftFamily.Ipv4, "t")
            .AddSet(NftFamily.Ipv4, "t", new NftSetSpec("s", Nft.TypeIpv4Addr, 4, Nft.SetFlagTimeout))
            .AddElements(NftFamily.Ipv4, "t", "s", [new NftElement(Element, TimeSpan.FromMilliseconds(1500))])
            .Commit(socket);

        Assert.Single(NftListing.Elements(socket, NftFamily.Ipv4, "t", "s"));
        Assert.Contains("192.0.2.7", lab.Sh(ns, "nft list set ip t s"));

        var gone = Poll.Until(() => NftListing.Elements(socket, NftFamily.Ipv4, "t", "s").Count == 0, TimeSpan.FromSeconds(10));
        Assert.True(gone, "the element outlived its 1500 ms timeout by more than 8 s");
        Assert.DoesNotContain("192.0.2.7", lab.Sh(ns, "nft list set ip t s"));
    }

    [Fact]
    public void A_failing_batch_names_the_operation_and_applies_nothing()
    {
        using var lab = new NetworkLab("nf");
        var ns = lab.AddNamespace("n");
        using var socket = Open(ns);

        var error = Assert.Throws<NetlinkException>(() => new NftBatch()
            .AddTable(NftFamily.Ipv4, "t")
            .AddSet(NftFamily.Ipv4, "t", new NftSetSpec("s", Nft.TypeIpv4Addr, 4))
            .AddElements(NftFamily.Ipv4, "t", "s", [new NftElement(Element)])
            .AddChain(NftFamily.Ipv4, "t", "c", new NftHook(Nft.HookInput, 0))
            .AddRule(NftFamily.Ipv4, "t", "c", [new PayloadExpr(PayloadBase.Network, 16, 4), new LookupExpr("missing"), VerdictExpr.Drop])
            .Commit(socket));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Contains("add rule ip t c", error.Message);
        Assert.Empty(NftListing.Tables(socket));
        Assert.Equal("", lab.Sh(ns, "nft list ruleset").Trim());

        // The socket is still usable after the drained error replies.
        new NftBatch().AddTable(NftFamily.Ipv4, "t").Commit(socket);
        Assert.Single(NftListing.Tables(socket));
    }

    [Fact]
    public void The_masquerade_rule_of_the_design_is_accepted_and_listed_as_nft_writes_it()
    {
        using var lab = new NetworkLab("nm");
        var ns = lab.AddNamespace("n");
        using var socket = Open(ns);

        new NftBatch()
            .AddTable(NftFamily.Ipv4, "nat")
            .AddChain(NftFamily.Ipv4, "nat", "post", new NftHook(Nft.HookPostrouting, 100, "nat"))
            .AddRule(NftFamily.Ipv4, "nat", "post",
                [new CtExpr(CtKey.DstIp, CtDirection.Original), new CmpExpr(CmpOp.Eq, Element), new MasqueradeExpr()])
            .Commit(socket);

        var listed = lab.Sh(ns, "nft list chain ip nat post");
        Assert.Contains("type nat hook postrouting priority srcnat", listed);
        Assert.Contains("ct original ip daddr 192.0.2.7 masquerade", listed);
    }

    internal static NetlinkSocket Open(string ns)
    {
        using (NetworkNamespace.Enter(ns))
            return NetlinkSocket.Open(Nl.Netfilter);
    }

    internal static JsonElement NftJson(NetworkLab lab, string ns)
    {
        using var doc = JsonDocument.Parse(lab.Sh(ns, "nft -j list ruleset"));
        return doc.RootElement.GetProperty("nftables").Clone();
    }

    internal static IEnumerable<JsonElement> Objects(JsonElement ruleset, string kind) =>
        ruleset.EnumerateArray().Where(e => e.TryGetProperty(kind, out _)).Select(e => e.GetProperty(kind));
}
