using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorVip.Node.Hosting;

namespace ActorVip.Tests.Deploy;

/// <summary>The notifier against a real unix datagram socket standing where systemd's would be.</summary>
public class ServiceNotifierTests
{
    [Fact]
    public void Each_state_is_one_datagram_to_the_notify_socket_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"avt-notify-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.sock");
        try
        {
            using var systemd = Listen(path);
            using var notifier = new ServiceNotifier(path);
            Assert.True(notifier.IsEnabled);
            notifier.Ready();
            notifier.Watchdog();
            notifier.Status("joined\nthe cluster");
            notifier.Reloading(42);
            notifier.Stopping();
            Assert.Equal(["READY=1", "WATCHDOG=1", "STATUS=joined the cluster", "RELOADING=1\nMONOTONIC_USEC=42", "STOPPING=1"], Receive(systemd, 5));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_at_sign_names_an_abstract_socket()
    {
        var name = $"avt-notify-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}";
        using var systemd = Listen("\0" + name);
        using var notifier = new ServiceNotifier("@" + name);
        notifier.Ready();
        Assert.Equal(["READY=1"], Receive(systemd, 1));
    }

    [Fact]
    public void Without_notify_socket_nothing_is_sent_and_nothing_fails()
    {
        using var notifier = new ServiceNotifier(null);
        Assert.False(notifier.IsEnabled);
        notifier.Ready();
        notifier.Watchdog();
        notifier.Stopping();
    }

    [Fact]
    public void A_notify_socket_nobody_listens_on_is_not_an_error()
    {
        using var notifier = new ServiceNotifier(Path.Combine(Path.GetTempPath(), "avt-nobody-listens.sock"));
        notifier.Ready(); // sd_notify loses the message too; the node must not fail over it
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 5000;
        return socket;
    }

    private static List<string> Receive(Socket socket, int count)
    {
        var buffer = new byte[512];
        var received = new List<string>();
        for (var n = 0; n < count; n++) received.Add(Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
        return received;
    }
}
