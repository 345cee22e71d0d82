using System.Net.Sockets;
using System.Text;
using ActorVip.Node.Hosting;

namespace ActorVip.Node.Observability;

/// <summary>An answer to one GET: status code, content type and body.</summary>
public sealed record HttpAnswer(int Status, string ContentType, byte[] Body)
{
    public static HttpAnswer Text(int status, string text) => new(status, "text/plain; charset=utf-8",
        Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n"));
}

/// <summary>
/// A tiny HTTP/1.1 server for GET requests on a bound TcpListener, one request per connection: enough for
/// Prometheus, curl and `actorvip status`, without ASP.NET Core (the node's memory goal is 80 MB RSS).
/// </summary>
public sealed class HttpEndpoint : IDisposable
{
    private const int MaxRequest = 8192;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Func<string, CancellationToken, Task<HttpAnswer>> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConnectionLimit _connections = new(MaxConnectionsPerSource, MaxConnections);

    /// <summary>Prometheus, a prober and `actorvip status` need a few at a time; a flood gets no more than this.</summary>
    public const int MaxConnectionsPerSource = 16;

    public const int MaxConnections = 64;
    private Task? _loop;

    public HttpEndpoint(TcpListener listener, Func<string, CancellationToken, Task<HttpAnswer>> route)
    {
        _listener = listener;
        _route = route;
    }

    public void Start() => _loop = Task.Run(AcceptAsync);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            if (!_connections.TryOpen(socket.RemoteEndPoint))
            {
                // Over the cap: closed at once, before a byte is read or a buffer allocated.
                socket.Close(0);
                continue;
            }
            var from = socket.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(socket);
                }
                finally
                {
                    _connections.Close(from);
                }
            });
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var (method, path) = await ReadRequestLineAsync(socket, timeout.Token);
            var answer = method is null ? HttpAnswer.Text(400, "bad request")
                : method != "GET" ? HttpAnswer.Text(405, "only GET")
                : await _route(path!, timeout.Token);
            var head = $"HTTP/1.1 {answer.Status} {Reason(answer.Status)}\r\nContent-Type: {answer.ContentType}\r\nContent-Length: " +
                $"{answer.Body.Length}\r\nConnection: close\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, timeout.Token);
            await socket.SendAsync(answer.Body, SocketFlags.None, timeout.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // A client that went away or was too slow: nothing to answer.
        }
    }

    /// <summary>Reads until the end of the headers; returns the method and path (query dropped), or nulls when malformed.</summary>
    internal static async Task<(string? Method, string? Path)> ReadRequestLineAsync(Socket socket, CancellationToken cancel)
    {
        var buffer = new byte[MaxRequest];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (read == 0) break;
            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0 || buffer.AsSpan(0, length).IndexOf("\n\n"u8) >= 0) break;
        }
        return ParseRequestLine(Encoding.ASCII.GetString(buffer, 0, length));
    }

    internal static (string? Method, string? Path) ParseRequestLine(string request)
    {
        var line = request.Split('\n', 2)[0].TrimEnd('\r');
        var parts = line.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !parts[1].StartsWith('/')) return (null, null);
        return (parts[0], parts[1].Split('?', 2)[0]);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Error",
    };

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
