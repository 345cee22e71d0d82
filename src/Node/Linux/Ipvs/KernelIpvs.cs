using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>
/// <see cref="IIpvsDriver"/> on the real kernel. The generic netlink socket is opened on first use, so a node with
/// load balancing off never needs IPVS; one lock serialises the IpvsActors of several VIPs on the one socket.
/// </summary>
public sealed class KernelIpvs : IIpvsDriver, IDisposable
{
    private readonly object _gate = new();
    private IpvsClient? _client;

    public IpvsTable List()
    {
        lock (_gate) return Client().List();
    }

    public void Execute(IReadOnlyList<IpvsOperation> operations)
    {
        if (operations.Count == 0) return;
        lock (_gate) Client().Execute(operations);
    }

    private IpvsClient Client() => _client ??= IpvsClient.Open();

    public void Dispose()
    {
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
        }
    }
}
