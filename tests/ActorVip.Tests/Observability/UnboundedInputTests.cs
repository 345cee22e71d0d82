using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorVip.Node.Cli;
using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>Reads that grew without bound (4.2 GB from /dev/zero, 1.2 GB for a 200 MB answer) and bytes echoed to a terminal as they came.</summary>
public class UnboundedInputTests
{
    [Theory]
    [InlineData("/dev/zero", "cannot read /dev/zero: it is a character device, not a regular file")]
    [InlineData("/tmp", "cannot read /tmp: it is a directory, not a regular file")]
    public void Ipvs_apply_refuses_what_is_not_a_regular_file_without_reading_it(string path, string expected)
    {
        var (code, error) = Apply(path, []);
        Assert.Equal(IpvsCommand.BadInput, code);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Ipvs_apply_refuses_a_file_over_its_bound_a_long_line_and_binary_with_one_clean_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            using (var f = File.Create(file)) f.SetLength(IpvsCommand.MaxRulesBytes + 1);
            Assert.Contains("it is larger than 16 MiB", Apply(file, []).Error);

            File.WriteAllText(file, "-A -t 192.0.2.100:80 -s rr\n" + new string('x', 5000) + "\n-A -t 192.0.2.101:80\n");
            var (code, error) = Apply(file, []);
            Assert.Equal(IpvsCommand.BadInput, code);
            Assert.Contains("line 2: the line is longer than 1024 characters", error);

            File.WriteAllBytes(file, [0x1b, (byte)'[', (byte)'2', (byte)'J', 0x1b, (byte)']', (byte)'0', (byte)';', 0x07, (byte)'\n']);
            (code, error) = Apply(file, []);
            Assert.Equal(IpvsCommand.BadInput, code);
            Assert.Contains("line 1: the line holds a control character", error);
            Assert.DoesNotContain(error.TrimEnd('\n'), c => char.IsControl(c));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("192.0.2.1/24")]
    [InlineData("2001:db8::1/64")]
    [InlineData("192.0.2.0/33")]
    public void An_owned_prefix_with_host_bits_is_refused_as_its_help_says(string owned)
    {
        var (code, error) = Apply("/nonexistent", [owned]);
        Assert.Equal(IpvsCommand.BadInput, code);
        Assert.Contains($"--owned {owned} is not a prefix", error);
    }

    [Fact]
    public void Status_reads_at_most_its_bound_of_an_endless_answer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        long sent = 0;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptSocketAsync(stop.Token);
            await client.ReceiveAsync(new byte[4096], SocketFlags.None, stop.Token);
            await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"), SocketFlags.None, stop.Token);
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            // 200 MB unless the reader stops first; it must.
            for (var i = 0; i < 3200 && !stop.IsCancellationRequested; i++) sent += await client.SendAsync(chunk, SocketFlags.None, stop.Token);
        });
        var e = Assert.Throws<InvalidDataException>(() => StatusCommand.Fetch($"127.0.0.1:{port}"));
        Assert.Contains("it is larger than 4 MiB", e.Message);
        // The reader closed its end: the server's sends fail long before the 200 MB.
        Assert.ThrowsAny<Exception>(() => server.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(Interlocked.Read(ref sent) < 100L * 1024 * 1024, $"the server sent {Interlocked.Read(ref sent) / (1024 * 1024)} MB " +
            "before the reader stopped");
    }

    [Fact]
    public void Status_prints_a_node_s_escape_sequences_escaped()
    {
        var json = """
            { "node": "akka.tcp://actorvip@192.0.2.11:4053\u001b[2J", "ready": true, "readyReason": "ok: \u001b]0;pwned\u0007", "allocator": null,
              "members": [ { "address": "a\u001b[31mred", "status": "Up", "roles": ["vip"], "reachable": true } ],
              "vips": [], "ipvs": [], "backends": [] }
            """;
        var text = StatusTable.Render(StatusDocument.FromJson(json));
        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
        Assert.Contains("a\\u001b[31mred", text);
    }

    private static (int Code, string Error) Apply(string path, string[] owned)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = IpvsCommand.Apply(path, owned, output, error);
        return (code, error.ToString());
    }
}
