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
    public static void Isolate(string switchNamespace, string port, IEnumerable<string> others)
    {
        var batch = new NftBatch()
            .AddTable(NftFamily.Bridge, Table)
            .AddChain(NftFamily.Bridge, Table, Chain, new NftHook(Nft.HookBridgeForward, 0));
        foreach (var other in others)
        {
            batch.AddRule(NftFamily.Bridge, Table, Chain, Drop(port, other));
            batch.AddRule(NftFamily.Bridge, Table, Chain, Drop(other, port));
        }
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
