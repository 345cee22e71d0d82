using System.Net;

namespace ActorVip.Node.Hosting;

/// <summary>
/// Counts the open inbound connections of a listening port by source address and in total, and says whether one more
/// may open. A flood of connections then costs a bounded number of sockets and buffers, whoever sends it. Loopback
/// sources count only towards the total. Thread-safe.
/// </summary>
public sealed class ConnectionLimit(int perSource, int total)
{
    private readonly Dictionary<IPAddress, int> _bySource = new();
    private int _total;

    public int Open
    {
        get
        {
            lock (_bySource) return _total;
        }
    }

    /// <summary>Counts a new connection from <paramref name="from"/>; false (and not counted) when a cap is reached.</summary>
    public bool TryOpen(EndPoint? from)
    {
        var source = Source(from);
        lock (_bySource)
        {
            if (_total >= total) return false;
            _bySource.TryGetValue(source, out var count);
            // Loopback is this host: several nodes of one host (the simulation, a lab) share it, and no remote peer can use it.
            if (count >= perSource && !IPAddress.IsLoopback(source)) return false;
            _bySource[source] = count + 1;
            _total++;
            return true;
        }
    }

    /// <summary>Uncounts a connection that <see cref="TryOpen"/> counted.</summary>
    public void Close(EndPoint? from)
    {
        var source = Source(from);
        lock (_bySource)
        {
            if (!_bySource.TryGetValue(source, out var count)) return;
            if (count <= 1) _bySource.Remove(source);
            else _bySource[source] = count - 1;
            _total--;
        }
    }

    private static IPAddress Source(EndPoint? from) => from switch
    {
        IPEndPoint ip => ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address,
        _ => IPAddress.None,
    };
}
