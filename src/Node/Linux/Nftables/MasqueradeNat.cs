using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Drivers;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Nftables;

/// <summary>
/// Source NAT for masquerade over nftables netlink (no nft or iptables binary): a table of its own (ip and ip6
/// families) with a nat postrouting chain holding `ct original ip daddr VIP masquerade` per VIP, rebuilt as a
/// whole in one batch on every change. Also sets net.ipv4.ip_forward (IPv6 VIP: net.ipv6.conf.all.forwarding) and
/// net.ipv4.vs.conntrack (IPVS's one switch for both families) to 1 while any VIP is masqueraded, and puts back the
/// values it changed when the last VIP goes. Thread-safe.
/// </summary>
public sealed class MasqueradeNat : ISourceNat, IDisposable
{
    public const string DefaultTable = Configuration.KernelFenceNames.NatTable;
    public const string Chain = "postrouting";
    /// <summary>The backends' answers are forwarded back through the director, so forwarding must be on for the VIP's family.</summary>
    public static IReadOnlyList<string> SysctlsFor(IPAddress vip) =>
        [vip.AddressFamily == AddressFamily.InterNetworkV6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward", "net.ipv4.vs.conntrack"];

    /// <summary>nat postrouting at srcnat (100), as `nft add chain ... { type nat hook postrouting priority srcnat; }`.</summary>
    private static readonly NftHook Postrouting = new(Nft.HookPostrouting, 100, "nat");

    private readonly object _gate = new();
    private readonly NetlinkSocket _socket;
    private readonly HashSet<IPAddress> _vips = new();
    private readonly Dictionary<string, string> _changed = new();

    public MasqueradeNat(string table = DefaultTable)
    {
        Table = table;
        _socket = NetlinkSocket.Open(Nl.Netfilter);
    }

    public string Table { get; }

    /// <summary>The sysctls this instance changed, with the values they had before.</summary>
    public IReadOnlyDictionary<string, string> Changed
    {
        get
        {
            lock (_gate) return new Dictionary<string, string>(_changed);
        }
    }

    public void Masquerade(IPAddress vip)
    {
        lock (_gate)
        {
            foreach (var key in SysctlsFor(vip))
            {
                var before = Sysctl.Read(key);
                if (before == "1") continue;
                Sysctl.Write(key, "1");
                _changed.TryAdd(key, before);
            }
            if (_vips.Add(vip)) Rebuild();
        }
    }

    public void Unmasquerade(IPAddress vip)
    {
        lock (_gate)
        {
            if (!_vips.Remove(vip)) return;
            Rebuild();
            if (_vips.Count == 0) Restore();
        }
    }

    /// <summary>Deletes the table whatever it holds (also one left by a killed run) and restores the sysctls.</summary>
    public void Remove()
    {
        lock (_gate)
        {
            _vips.Clear();
            Rebuild();
            Restore();
        }
    }

    private void Rebuild()
    {
        var batch = new NftBatch();
        NftOwnerMark.DeleteOurs(batch, _socket, Table, [NftFamily.Ipv4, NftFamily.Ipv6]);
        foreach (var group in _vips.GroupBy(v => v.AddressFamily))
        {
            var v6 = group.Key == AddressFamily.InterNetworkV6;
            var family = v6 ? NftFamily.Ipv6 : NftFamily.Ipv4;
            batch.AddTable(family, Table, NftOwnerMark.Comment).AddChain(family, Table, Chain, Postrouting);
            foreach (var vip in group)
            {
                batch.AddRule(family, Table, Chain,
                    [new CtExpr(v6 ? CtKey.DstIp6 : CtKey.DstIp, CtDirection.Original), new CmpExpr(CmpOp.Eq, vip.GetAddressBytes()), new MasqueradeExpr()]);
            }
        }
        batch.Commit(_socket);
    }

    private void Restore()
    {
        foreach (var (key, value) in _changed) Sysctl.Write(key, value);
        _changed.Clear();
    }

    public void Dispose() => _socket.Dispose();
}
