using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.LoadBalancing;

/// <summary>The default health check: a TCP connect to the backend that completes before the timeout.</summary>
public sealed class TcpProbe : IHealthProbe
{
    public async Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
    {
        using var socket = new Socket(backend.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(backend.Address, backend.Port), cancel);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
