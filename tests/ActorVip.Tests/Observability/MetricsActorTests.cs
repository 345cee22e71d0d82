using ActorVip.Messages.Ownership;
using ActorVip.Node.Observability;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Observability;

/// <summary>The MetricsActor hears the node's events on the event stream and keeps what /status shows.</summary>
public class MetricsActorTests : TestKit
{
    private const string Self = "akka.tcp://actorvip@192.0.2.11:4053";

    [Fact]
    public async Task Events_published_on_the_stream_reach_the_observations()
    {
        var actor = Sys.ActorOf(MetricsActor.Props(new NodeObservations(Self, ["192.0.2.100"]), new NodeMetrics(new MetricRegistry())));
        // Subscriptions are made in PreStart: an ask first makes sure it ran.
        await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5));
        Sys.EventStream.Publish(new VipAcquired("192.0.2.100", 2, new NodeId(Self)));
        Sys.EventStream.Publish(NodeMetricsTests.Observed("192.0.2.100", healthy: 1, failing: 0));
        // The stream delivers in publish order, so an ask after the publishes sees them.
        var seen = await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(2, seen.Held["192.0.2.100"]);
        Assert.Equal(1, seen.IpvsServices);
        Sys.EventStream.Publish(new VipReleased("192.0.2.100", 2, new NodeId(Self), "stopping"));
        Assert.Empty((await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5))).Held);
    }

    [Fact]
    public async Task A_reloaded_vip_list_replaces_the_one_of_the_start_and_a_held_vip_stays_owned()
    {
        var registry = new MetricRegistry();
        var actor = Sys.ActorOf(MetricsActor.Props(new NodeObservations(Self, ["192.0.2.100", "192.0.2.101"]), new NodeMetrics(registry)));
        await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5));
        Sys.EventStream.Publish(new VipAcquired("192.0.2.100", 2, new NodeId(Self)));
        await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5));

        // 192.0.2.101 removed, 192.0.2.102 added: the status lists the new file's VIPs, in its order.
        actor.Tell(new VipsConfigured(["192.0.2.102", "192.0.2.100"]));
        var seen = await actor.Ask<NodeObservations>(GetObservations.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(["192.0.2.102", "192.0.2.100"], seen.Vips);
        Assert.Equal(2, seen.Held["192.0.2.100"]);
        var metrics = registry.Export();
        Assert.Contains("actorvip_vip_owned{vip=\"192.0.2.100\"} 1", metrics);
        Assert.Contains("actorvip_vip_owned{vip=\"192.0.2.102\"} 0", metrics);
    }
}
