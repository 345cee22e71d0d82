using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;

namespace ActorVip.Tests.Configuration;

/// <summary>preferred-nodes, preempt and preempt-delay of a VIP (issue 14 §3): read, defaulted and handed to the allocator.</summary>
public class PreferenceAndNotifyConfigTests
{
    private static NodeSettings Read(string vips) =>
        VipServicesTests.ReadFile($"actorvip {{ interface = eth0\n{VipServicesTests.Voters}\nvips = [ {vips} ] }}");

    [Fact]
    public void Preference_preempt_and_delay_are_read_in_order()
    {
        var vip = Read("""
            { address = "192.0.2.100", preferred-nodes = ["192.0.2.12:4053", "192.0.2.11:4053"], preempt = on, preempt-delay = 30s }
            """).Vips.Single();

        Assert.Equal([new Endpoint("192.0.2.12", 4053), new Endpoint("192.0.2.11", 4053)], vip.PreferredNodes);
        Assert.True(vip.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(30), vip.PreemptDelay);
    }

    [Fact]
    public void By_default_a_vip_prefers_no_node_and_never_preempts()
    {
        var vip = Read("""{ address = "192.0.2.100" }""").Vips.Single();

        Assert.Empty(vip.PreferredNodes);
        Assert.False(vip.Preempt);
        Assert.Equal(TimeSpan.Zero, vip.PreemptDelay);
    }

    [Fact]
    public void The_allocator_gets_the_preference_as_cluster_node_ids_with_preempt_and_delay()
    {
        var settings = Read("""
            { address = "192.0.2.100", preferred-nodes = ["192.0.2.13:4053"], preempt = on, preempt-delay = 2s },
            { address = "192.0.2.101" }
            """);

        var specs = NodeRuntime.VipSpecs(settings, "akka.tcp");

        Assert.Equal([new NodeId("akka.tcp://actorvip@192.0.2.13:4053")], specs[0].Preference);
        Assert.True(specs[0].Preempt);
        Assert.Equal(TimeSpan.FromSeconds(2), specs[0].PreemptDelay);
        Assert.Empty(specs[1].Preference);
        Assert.False(specs[1].Preempt);
    }

    [Fact]
    public void Two_vips_that_differ_only_in_preference_are_different_configurations()
    {
        var a = Read("""{ address = "192.0.2.100", preferred-nodes = ["192.0.2.13:4053"] }""").Vips.Single();
        var b = Read("""{ address = "192.0.2.100", preferred-nodes = ["192.0.2.12:4053"] }""").Vips.Single();

        Assert.NotEqual(a, b);
    }
}
