using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Hosting;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Deploy;

/// <summary>
/// READY=1 also when the node serves without having joined a cluster (its first seed down at a cold start, the deputies'
/// placement): otherwise systemd's TimeoutStartSec restarts a node that is holding VIPs, every five minutes.
/// </summary>
public class SystemdReadyTests : TestKit
{
    [Fact]
    public void A_vip_acquired_here_makes_the_node_ready()
    {
        var acquired = new ConcurrentQueue<string>();
        SystemdService.ReadyWhenServing(Sys, acquired.Enqueue);
        AwaitCondition(() =>
        {
            Sys.EventStream.Publish(new VipAcquired("192.0.2.100", 3, new NodeId("akka.tcp://actorvip@192.0.2.12:4053")));
            return !acquired.IsEmpty;
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        Assert.Equal("192.0.2.100", acquired.First());
    }
}
