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

    [Fact]
    public void Sighup_is_reloading_stamped_with_clock_monotonic_then_ready_once_the_reload_is_done()
    {
        const int SigHup = 1;
        using var lab = new NetworkLab("ntfy");
        var node = lab.AddHost("n1", "192.0.2.11/24");
        var path = Path.Combine(Path.GetTempPath(), $"avt-notify-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}.sock");
        var file = Path.Combine(lab.TempDirectory, "actorvip.conf");
        File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\"]\n");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        systemd.ReceiveTimeout = 30_000;
        var received = new List<string>();
        try
        {
            var process = lab.Start(node, "env", $"NOTIFY_SOCKET={path}", ActorVipProcess.Binary, "run", "--config", file, "--interface", "eth0",
                "--node-address", "192.0.2.11:4053");
            ReceiveUntil(systemd, received, "READY=1");

            File.WriteAllText(file, "actorvip.addresses = [\"192.0.2.100\", \"192.0.2.101\"]\n");
            var before = ActorVip.Ownership.LinuxClocks.MonotonicMicroseconds();
            Assert.Equal(0, Tmds.Linux.LibC.kill(process.Pid, SigHup));
            var reloading = ReceiveUntil(systemd, received, m => m.StartsWith("RELOADING=1", StringComparison.Ordinal));
            ReceiveUntil(systemd, received, "READY=1");
            var after = ActorVip.Ownership.LinuxClocks.MonotonicMicroseconds();
            // One datagram, as Type=notify-reload (systemd 253) requires: the time is CLOCK_MONOTONIC's, taken after the signal.
            var time = Assert.Single(reloading.Split('\n'), l => l.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal));
            var stamp = long.Parse(time["MONOTONIC_USEC=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(stamp, before, after);
            Assert.True(Ip.Eventually(() => Ip.FindAddress(lab, node, "192.0.2.101") is not null, TimeSpan.FromSeconds(30)), "the added VIP never appeared");
            Assert.Equal(0, Tmds.Linux.LibC.kill(process.Pid, SigTerm));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "actorvip did not exit after SIGTERM");
        }
        finally
        {
            output.WriteLine(string.Join('\n', received));
            File.Delete(path);
        }
    }

    private static void ReceiveUntil(Socket socket, List<string> received, string state) => ReceiveUntil(socket, received, m => m == state, state);

    private static string ReceiveUntil(Socket socket, List<string> received, Func<string, bool> wanted, string? name = null)
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
                throw new Xunit.Sdk.XunitException($"no {name ?? "such message"} within 30 s; received: {string.Join(", ", received)}");
            }
            received.Add(message);
            if (wanted(message)) return message;
        }
    }
}
