using System.Collections.Concurrent;
using System.Net;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;
using ActorVip.Tests.Ipvs;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>
/// The load-balancing kernel for actor tests: an IPVS table carried out by <see cref="KernelModel"/> (which refuses
/// what the kernel refuses), a record of every call, a source-NAT set and a health probe answered from a set of failing backends.
/// </summary>
internal sealed class IpvsRecorder : IIpvsDriver, ISourceNat, IHealthProbe
{
    private readonly object _gate = new();
    private IpvsTable _table;

    public IpvsRecorder(IpvsTable? start = null) => _table = start ?? IpvsTable.Empty;

    public ConcurrentQueue<string> Calls { get; } = new();
    public ConcurrentQueue<IpvsOperation> Operations { get; } = new();
    public ConcurrentDictionary<IPAddress, bool> Masqueraded { get; } = new();
    public ConcurrentDictionary<Backend, bool> Failing { get; } = new();

    public IpvsTable Table
    {
        get
        {
            lock (_gate) return _table;
        }
    }

    public IpvsTable List()
    {
        Calls.Enqueue("list");
        lock (_gate) return _table;
    }

    public void Execute(IReadOnlyList<IpvsOperation> operations)
    {
        if (operations.Count == 0) return;
        Calls.Enqueue($"execute {operations.Count}");
        lock (_gate) _table = KernelModel.Run(_table, operations);
        foreach (var op in operations) Operations.Enqueue(op);
    }

    public void Masquerade(IPAddress vip)
    {
        Calls.Enqueue($"masquerade {vip}");
        Masqueraded[vip] = true;
    }

    public void Unmasquerade(IPAddress vip)
    {
        Calls.Enqueue($"unmasquerade {vip}");
        Masqueraded.TryRemove(vip, out _);
    }

    public void Remove()
    {
        Calls.Enqueue("remove-nat");
        Masqueraded.Clear();
    }

    public Task<bool> CheckAsync(Backend backend, CancellationToken cancel) => Task.FromResult(!Failing.ContainsKey(backend));

    public IReadOnlyList<IpvsOperation> TakeOperations()
    {
        var taken = new List<IpvsOperation>();
        while (Operations.TryDequeue(out var op)) taken.Add(op);
        return taken;
    }
}
