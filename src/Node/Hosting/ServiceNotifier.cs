using System.Net.Sockets;
using System.Text;

namespace ActorVip.Node.Hosting;

/// <summary>
/// sd_notify(3) spoken directly: one datagram per state to the unix socket that systemd names in $NOTIFY_SOCKET
/// ("@name" is an abstract socket). Without NOTIFY_SOCKET (not under systemd, or Type is not notify) it does nothing.
/// Written by hand rather than through Microsoft.Extensions.Hosting.Systemd: the node does not use the generic
/// host, and that package would bring it and its dependency tree for what is one sendto().
/// </summary>
public sealed class ServiceNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public ServiceNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket)) return;
        _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public static ServiceNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool IsEnabled => _socket is not null;

    /// <summary>Start-up is complete: the node serves (systemd's start job ends and the watchdog starts).</summary>
    public void Ready() => Send("READY=1");

    /// <summary>The node is healthy; systemd restarts it if this does not come again within WatchdogSec.</summary>
    public void Watchdog() => Send("WATCHDOG=1");

    public void Stopping() => Send("STOPPING=1");

    /// <summary>
    /// A reload began (sd_notify(3)): READY=1 says it ended. One datagram with the CLOCK_MONOTONIC time, which systemd 253 and later
    /// require with RELOADING=1 (Type=notify-reload); systemd 252 takes the state and ignores the time.
    /// </summary>
    public void Reloading(long monotonicUsec) => Send($"RELOADING=1\nMONOTONIC_USEC={monotonicUsec}");

    /// <summary>A free-form line that `systemctl status` shows.</summary>
    public void Status(string text) => Send("STATUS=" + text.ReplaceLineEndings(" "));

    private void Send(string state)
    {
        if (_socket is null) return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!);
        }
        catch (SocketException)
        {
            // systemd is not listening (e.g. it is re-executing); a lost notification is what sd_notify allows too.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
