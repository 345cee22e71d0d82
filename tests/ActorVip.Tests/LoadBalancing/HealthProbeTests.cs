using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorVip.Node.Configuration;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>The UDP and HTTP probes against real sockets on loopback.</summary>
public class HealthProbeTests
{
    private static async Task<bool> Check(Func<Backend, CancellationToken, Task<bool>> probe, int port, int timeoutMs = 300)
    {
        using var cancel = new CancellationTokenSource(timeoutMs);
        return await probe(new Backend(IPAddress.Loopback, (ushort)port), cancel.Token);
    }

    /// <summary>A UDP server on loopback that answers each datagram with <paramref name="reply"/> (null: stays silent).</summary>
    private static (Socket Socket, Task Serving) UdpServer(Func<byte[], byte[]?> reply, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var serving = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (!stop.IsCancellationRequested)
            {
                SocketReceiveFromResult got;
                try
                {
                    got = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (reply(buffer[..got.ReceivedBytes]) is { } answer) await socket.SendToAsync(answer, SocketFlags.None, got.RemoteEndPoint);
            }
        });
        return (socket, serving);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Udp_a_port_nobody_listens_on_refuses_and_fails()
    {
        var probe = new UdpProbe([], []);
        Assert.False(await Check(probe.CheckAsync, FreeUdpPort(), timeoutMs: 2000));
    }

    [Fact]
    public async Task Udp_without_an_expected_reply_a_silent_server_passes()
    {
        using var stop = new CancellationTokenSource();
        var (socket, serving) = UdpServer(_ => null, stop.Token);
        using (socket)
        {
            Assert.True(await Check(new UdpProbe([], []).CheckAsync, ((IPEndPoint)socket.LocalEndPoint!).Port));
            stop.Cancel();
            await serving;
        }
    }

    [Fact]
    public async Task Udp_with_an_expected_reply_only_a_reply_containing_it_passes()
    {
        using var stop = new CancellationTokenSource();
        var (socket, serving) = UdpServer(request => request.SequenceEqual(new byte[] { 0x12, 0x34 }) ? Encoding.ASCII.GetBytes("..pong..") : null, stop.Token);
        using (socket)
        {
            var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            var pong = HealthPayload.Decode("pong");
            Assert.True(await Check(new UdpProbe(HealthPayload.Decode("hex:1234"), pong).CheckAsync, port));
            // The server does not answer this request: silence fails when a reply is expected.
            Assert.False(await Check(new UdpProbe(HealthPayload.Decode("hex:9999"), pong).CheckAsync, port));
            Assert.False(await Check(new UdpProbe(HealthPayload.Decode("hex:1234"), HealthPayload.Decode("ping")).CheckAsync, port));
            stop.Cancel();
            await serving;
        }
    }

    /// <summary>A one-request HTTP server on loopback answering <paramref name="status"/>; returns its port and the request line it saw.</summary>
    private static (int Port, Task<string> RequestLine) HttpServer(int status)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var seen = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                var line = await reader.ReadLineAsync() ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return line;
            }
            finally
            {
                listener.Stop();
            }
        });
        return (port, seen);
    }

    [Theory]
    [InlineData(200, 200, 299, true)]
    [InlineData(302, 200, 299, false)]
    [InlineData(302, 200, 399, true)]
    [InlineData(503, 200, 399, false)]
    [InlineData(204, 204, 204, true)]
    public async Task Http_passes_only_a_status_in_the_range(int status, int min, int max, bool passes)
    {
        var (port, requestLine) = HttpServer(status);
        using var probe = new HttpProbe(tls: false, "/readyz", acceptAnyCertificate: false, min, max);
        Assert.Equal(passes, await Check(probe.CheckAsync, port, timeoutMs: 5000));
        Assert.Equal("GET /readyz HTTP/1.1", await requestLine);
    }

    [Fact]
    public void The_real_probes_are_made_once_per_distinct_check()
    {
        using var probes = new HealthProbes();
        var http = HealthSettings.Default with { Kind = HealthCheckKind.Http };
        Assert.Same(probes.For(http), probes.For(http with { Interval = TimeSpan.FromSeconds(9) }));
        Assert.NotSame(probes.For(http), probes.For(http with { StatusMax = 399 }));
        Assert.IsType<UdpProbe>(probes.For(HealthSettings.Default with { Kind = HealthCheckKind.Udp }));
        Assert.IsType<TcpProbe>(probes.For(HealthSettings.Default));
    }
}
