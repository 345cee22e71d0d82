using System.Net;

namespace ActorVip.Lab.Demo;

/// <summary>One node of the lab: its namespace, address, MAC and bridge port.</summary>
public sealed record LabNode(string Name, string Namespace, IPAddress Address, string Mac, string BridgePort)
{
    public const int Port = 4053;
    public string Endpoint => $"{Address}:{Port}";
}

/// <summary>
/// The failover topology on TEST-NET-1: nodes n1..nN at 192.0.2.11.., a client at 192.0.2.50, all on one
/// bridge, and the VIP 192.0.2.100 that the nodes keep alive.
/// </summary>
public sealed class VipTopology
{
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");
    public static readonly IPAddress ClientAddress = IPAddress.Parse("192.0.2.50");
    /// <summary>The sender address of the client's who-has probes; no host holds it.</summary>
    public static readonly IPAddress ProbeSender = IPAddress.Parse("192.0.2.51");

    private VipTopology(NetworkLab lab, IReadOnlyList<LabNode> nodes, string client)
    {
        Lab = lab;
        Nodes = nodes;
        Client = client;
    }

    public NetworkLab Lab { get; }
    public IReadOnlyList<LabNode> Nodes { get; }
    public string Client { get; }

    public static VipTopology Build(NetworkLab lab, int nodes)
    {
        if (nodes is < 1 or > 80) throw new ArgumentOutOfRangeException(nameof(nodes), "between 1 and 80 nodes");
        var list = new List<LabNode>();
        for (var i = 1; i <= nodes; i++)
        {
            var address = IPAddress.Parse($"192.0.2.{10 + i}");
            var ns = lab.AddHost($"n{i}", $"{address}/24");
            list.Add(new LabNode($"n{i}", ns, address, lab.Mac(ns), lab.BridgePort(ns)));
        }
        var client = lab.AddHost("client", $"{ClientAddress}/24");
        return new VipTopology(lab, list, client);
    }

    public LabNode? NodeWithMac(string mac) => Nodes.FirstOrDefault(n => string.Equals(n.Mac, mac, StringComparison.OrdinalIgnoreCase));

    /// <summary>The nodes whose eth0 carries the VIP right now (what `ip addr` shows, fenced or not).</summary>
    public IReadOnlyList<LabNode> NodesHoldingAddress() =>
        Nodes.Where(n => Lab.Exec(n.Namespace, "ip", "-o", "addr", "show", "dev", "eth0").Stdout.Contains($" {Vip}/", StringComparison.Ordinal)).ToList();
}
