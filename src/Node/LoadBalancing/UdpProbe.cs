using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// A UDP check: one datagram to the backend from a connected socket. A refusal (the backend's ICMP port unreachable,
/// which a connected socket reports as ECONNREFUSED) fails it. Without an expected reply, silence until the check is
/// cancelled at its timeout passes: most UDP servers do not answer a datagram they do not understand (keepalived's
/// UDP_CHECK does the same). With one, only a reply that contains it passes, e.g. a DNS answer to a query.
/// </summary>
public sealed class UdpProbe(byte[] request, byte[] expect) : IHealthProbe
{
    public async Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
    {
        using var socket = new Socket(backend.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var buffer = new byte[2048];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(backend.Address, backend.Port), cancel);
            await socket.SendAsync(request, SocketFlags.None, cancel);
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
            return expect.Length == 0 || buffer.AsSpan(0, received).IndexOf(expect) >= 0;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return expect.Length == 0;
        }
    }
}
