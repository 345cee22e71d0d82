using System.Net;
using ActorVip.Node.Hosting;

namespace ActorVip.Tests.Observability;

public class ConnectionLimitTests
{
    private static IPEndPoint From(string address, int port = 40000) => new(IPAddress.Parse(address), port);

    [Fact]
    public void Caps_per_source_and_in_total_and_a_closed_connection_frees_its_place()
    {
        var limit = new ConnectionLimit(perSource: 2, total: 3);
        Assert.True(limit.TryOpen(From("192.0.2.66")));
        Assert.True(limit.TryOpen(From("::ffff:192.0.2.66")));
        Assert.False(limit.TryOpen(From("192.0.2.66", 40001)));
        Assert.True(limit.TryOpen(From("192.0.2.67")));
        Assert.False(limit.TryOpen(From("192.0.2.68")));
        limit.Close(From("192.0.2.66"));
        Assert.True(limit.TryOpen(From("192.0.2.68")));
        Assert.Equal(3, limit.Open);
    }

    [Fact]
    public void Loopback_sources_count_only_towards_the_total()
    {
        var limit = new ConnectionLimit(perSource: 1, total: 3);
        Assert.True(limit.TryOpen(From("127.0.0.1")));
        Assert.True(limit.TryOpen(From("127.0.0.1", 40001)));
        Assert.True(limit.TryOpen(From("::1")));
        Assert.False(limit.TryOpen(From("127.0.0.1", 40002)));
    }
}
