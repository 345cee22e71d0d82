using System.Text;
using ActorVip.Node.Linux;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Lab.Demo;

/// <summary>
/// A network partition made in the switch: an nftables bridge-family table whose forward chain drops
/// frames between one port and a set of other ports, in both directions, while every other path
/// (the client included) still works. Written with the project's own nftables client, no nft binary.
/// </summary>
public static class BridgePartition
{
    public const string Table = "actorvip-lab-partition";
    private const string Chain = "forward";

    /// <summary>Cuts <paramref name="port"/> off from <paramref name="others"/> (bridge port names in <paramref name="switchNamespace"/>).</summary>
    public static void Isolate(string switchNamespace, string port, IEnumerable<string> others) => Isolate(switchNamespace, [port], others);

    /// <summary>Cuts a group of ports off from <paramref name="others"/>, both ways; the ports within each side still reach each other.</summary>
    public static void Isolate(string switchNamespace, IEnumerable<string> group, IEnumerable<string> others)
    {
        var from = group.ToList();
        var to = others.ToList();
        Commit(switchNamespace, DropRules(from, to).Concat(DropRules(to, from)));
    }

    /// <summary>
    /// Drops frames from <paramref name="from"/> to <paramref name="to"/> only: the other direction still flows (a one-way
    /// link failure, e.g. a broken receive path), so each side hears the other's requests but not the answers.
    /// </summary>
    public static void DropOneWay(string switchNamespace, IEnumerable<string> from, IEnumerable<string> to) =>
        Commit(switchNamespace, DropRules(from.ToList(), to.ToList()));

    private static IEnumerable<NftExpression[]> DropRules(List<string> from, List<string> to) =>
        from.SelectMany(f => to.Select(t => Drop(f, t)));

    private static void Commit(string switchNamespace, IEnumerable<NftExpression[]> rules)
    {
        var batch = new NftBatch()
            .AddTable(NftFamily.Bridge, Table)
            .AddChain(NftFamily.Bridge, Table, Chain, new NftHook(Nft.HookBridgeForward, 0));
        foreach (var rule in rules) batch.AddRule(NftFamily.Bridge, Table, Chain, rule);
        Commit(switchNamespace, batch);
    }

    /// <summary>Removes the partition: every port reaches every other again.</summary>
    public static void Heal(string switchNamespace) =>
        Commit(switchNamespace, new NftBatch().DelTable(NftFamily.Bridge, Table));

    private static NftExpression[] Drop(string from, string to) =>
    [
        new MetaExpr(MetaKey.IifName), new CmpExpr(CmpOp.Eq, InterfaceName(from)),
        new MetaExpr(MetaKey.OifName), new CmpExpr(CmpOp.Eq, InterfaceName(to)),
        VerdictExpr.Drop,
    ];

    // The kernel keeps interface names in IFNAMSIZ (16) bytes, zero padded; nft compares all 16.
    private static byte[] InterfaceName(string name)
    {
        var bytes = new byte[16];
        if (Encoding.ASCII.GetBytes(name, bytes) > 15) throw new ArgumentException($"Interface name '{name}' is longer than 15 characters.", nameof(name));
        return bytes;
    }

    private static void Commit(string switchNamespace, NftBatch batch)
    {
        NetlinkSocket socket;
        using (NetworkNamespace.Enter(switchNamespace)) socket = NetlinkSocket.Open(Nl.Netfilter);
        using (socket) batch.Commit(socket);
    }
}
