using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>The tiny HTTP server: request lines, and a real round trip on loopback.</summary>
public class HttpEndpointTests
{
    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/metrics")]
    [InlineData("GET /readyz?verbose=1 HTTP/1.0\r\n\r\n", "GET", "/readyz")]
    [InlineData("POST /status HTTP/1.1\r\n\r\n", "POST", "/status")]
    [InlineData("GET /metrics\r\n\r\n", null, null)]
    [InlineData("hello", null, null)]
    public void Request_lines(string request, string? method, string? path) =>
        Assert.Equal((method, path), HttpEndpoint.ParseRequestLine(request));

    [Fact]
    public async Task Answers_a_get_with_status_length_and_body_and_refuses_other_methods()
    {
        using var listener = MetricsAddress.Listen($"127.0.0.1:{FreePort()}");
        using var endpoint = new HttpEndpoint(listener, (path, _) => Task.FromResult(path == "/readyz" ? HttpAnswer.Text(503,
            "not yet") : HttpAnswer.Text(200, "ok")));
        endpoint.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient();
        var ready = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not yet\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync($"http://127.0.0.1:{port}/metrics", new StringContent(""))).StatusCode);
    }

    [Fact]
    public void A_port_in_use_is_one_line_naming_the_setting_and_the_fix()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var setting = $"127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var e = Assert.Throws<IOException>(() => MetricsAddress.Listen(setting));
        Assert.Equal($"metrics-address {setting}: the port is already in use (another actorvip run on this host?); choose another with --metrics-address " +
            "or actorvip.metrics-address", e.Message);
    }

    [Theory]
    [InlineData(":2112", "127.0.0.1:2112")]
    [InlineData("192.0.2.11:9100", "192.0.2.11:9100")]
    [InlineData("[2001:db8::1]:2112", "[2001:db8::1]:2112")]
    [InlineData("0.0.0.0:2112", "127.0.0.1:2112")]
    [InlineData("[::]:2112", "[::1]:2112")]
    [InlineData("[0:0::0]:2112", "[::1]:2112")]
    public void Status_asks_loopback_for_every_address(string setting, string asked) => Assert.Equal(asked, MetricsAddress.ToAsk(setting));

    [Fact]
    public void Every_address_listens_dual_stack() => Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 2112), MetricsAddress.ToListen(":2112"));

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
