using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>A real `actorvip run` talking to a socket that stands where systemd's NOTIFY_SOCKET would be.</summary>
public class ServiceNotifyTests(ITestOutputHelper output)
{
    private const int SigTerm = 15;

    [Fact]
    public void Run_says_ready_once_joined_then_pets_the_watchdog_and_says_stopping_on_sigterm()
    {
        using var lab = new NetworkLab("ntfy");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var path = Path.Combine(Path.GetTempPath(), $"avt-notify-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        systemd.ReceiveTimeout = 30_000;
        var received = new List<string>();
        try
        {
            // ip netns exec and env both exec, so the process id is actorvip's.
            var process = lab.Start(node, "env", $"NOTIFY_SOCKET={path}", "WATCHDOG_USEC=1000000",
                ActorVipProcess.Binary, "run", "--interface", "eth0", "--address", "192.0.2.100", "--node-address", "192.0.2.11:4053");

            ReceiveUntil(systemd, received, "READY=1");
            ReceiveUntil(systemd, received, "WATCHDOG=1");
            ReceiveUntil(systemd, received, "WATCHDOG=1");
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.100") is not null, TimeSpan.FromSeconds(30)), "the VIP never appeared");

            Assert.Equal(0, Tmds.Linux.LibC.kill(process.Pid, SigTerm));
            ReceiveUntil(systemd, received, "STOPPING=1");
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "actorvip did not exit after SIGTERM");
            Assert.Equal(0, process.ExitCode);

            var states = received.Where(m => !m.StartsWith("STATUS=", StringComparison.Ordinal)).ToList();
            Assert.Equal("READY=1", states[0]); // no watchdog before start-up is complete
            Assert.Equal("STOPPING=1", states[^1]);
            Assert.Equal(1, states.Count(s => s == "READY=1"));
        }
        finally
        {
            output.WriteLine(string.Join('\n', received));
            File.Delete(path);
        }
    }

    private static void ReceiveUntil(Socket socket, List<string> received, string state)
    {
        var buffer = new byte[512];
        while (true)
        {
            string message;
            try
            {
                message = Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw new Xunit.Sdk.XunitException($"no {state} within 30 s; received: {string.Join(", ", received)}");
            }
            received.Add(message);
            if (message == state) return;
        }
    }
}
