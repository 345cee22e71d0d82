using System.Net;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>The backend set shared by IpvsActor and BackendWatch: static plus members, verdicts, forgetting.</summary>
public class BackendSetTests
{
    private static Backend B(int host) => new(IPAddress.Parse($"192.0.2.{host}"), 6443);

    [Fact]
    public void Static_backends_come_first_then_members_each_once()
    {
        var set = new BackendSet();
        set.SetStatic([B(21), B(22)]);
        set.SetMembers([B(22), B(11)]);
        Assert.Equal([B(21), B(22), B(11)], set.All);
    }

    [Fact]
    public void A_failed_backend_is_unhealthy_until_it_passes_or_leaves_the_set()
    {
        var set = new BackendSet();
        set.SetMembers([B(11), B(12)]);
        set.Verdict(B(12), healthy: false);
        Assert.True(set.IsHealthy(B(11)));
        Assert.False(set.IsHealthy(B(12)));
        set.Verdict(B(12), healthy: true);
        Assert.True(set.IsHealthy(B(12)));

        set.Verdict(B(12), healthy: false);
        set.SetMembers([B(11)]);   // 12 left: its verdict goes with it
        set.SetMembers([B(11), B(12)]);
        Assert.True(set.IsHealthy(B(12)));
    }
}
