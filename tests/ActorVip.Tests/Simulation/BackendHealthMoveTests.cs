using ActorVip.Lab.Simulation;
using ActorVip.Node.Configuration;
using Akka.Configuration;
using Xunit.Abstractions;

namespace ActorVip.Tests.Simulation;

/// <summary>
/// lb.health.keep-vip-when-none-healthy through the real allocator and agents (3 simulated nodes, load balancing on):
/// the owner's backends fail, and so do a second node's; with off the VIP moves to the one node that still sees a
/// healthy backend, through the ordinary release and lease, never to two owners; with on it stays.
/// </summary>
[Collection(SimulationCollection.Name)]
public sealed class BackendHealthMoveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MoveAfter = TimeSpan.FromSeconds(1);

    private static Config Settings(bool keep) =>
        ConfigurationFactory.ParseString(new HoconOverrides()
                .Set("actorvip.lb.enabled", "on").Set("actorvip.lb.fwdmethod", "masquerade").Set("actorvip.lb.member-backends", "off")
                .SetList("actorvip.lb.backends", ["198.51.100.21:6443", "198.51.100.22:6443"])
                .Set("actorvip.lb.health.interval", "200ms").Set("actorvip.lb.health.timeout", "100ms")
                .Set("actorvip.lb.health.rise", "1").Set("actorvip.lb.health.fall", "2")
                .Set("actorvip.lb.health.keep-vip-when-none-healthy", keep ? "on" : "off")
                .Set("actorvip.lb.health.move-vip-after", $"{MoveAfter.TotalMilliseconds}ms").ToString())
            .WithFallback(ConfigSources.Reference());

    [Fact]
    public async Task Off_moves_the_vip_from_an_owner_without_healthy_backends_to_the_node_that_has_some()
    {
        var timeline = new Timeline();
        await using var cluster = await SimulatedCluster.StartAsync(3, Settings(keep: false), timeline, TimeSpan.FromSeconds(60));
        var owner = await cluster.WaitForOwnerAsync(TimeSpan.FromSeconds(30));
        var alsoFailing = cluster.Nodes.First(n => n != owner);
        var healthy = cluster.Nodes.Single(n => n != owner && n != alsoFailing);
        cluster.Mark($"backends fail as seen from {owner.Name} (owner) and {alsoFailing.Name}");
        var failedAt = timeline.Now;
        owner.Host.Backends.Healthy = false;
        alsoFailing.Host.Backends.Healthy = false;

        var moved = await cluster.WaitForOwnerAsync(TimeSpan.FromSeconds(30), n => n != owner);
        cluster.Mark($"{moved.Name} holds the VIP");
        output.WriteLine(Timeline.Format(Timeline.Condense(timeline.Events), withLogs: false));
        var heldAt = HoldIntervals.Compute(timeline.Events, timeline.Now).Where(h => h.Node == moved.Name && h.Start > failedAt).Min(h => h.Start);
        output.WriteLine($"moved {(heldAt - failedAt).TotalMilliseconds:0} ms after the backends failed (checks every 200 ms, fall 2, move-vip-after " +
            $"{MoveAfter.TotalMilliseconds:0} ms)");
        Assert.Equal(healthy, moved);
        var report = SingleOwnerChecker.Check(timeline);
        Assert.True(report.SingleOwner, report.Describe());
    }

    [Fact]
    public async Task On_keeps_the_vip_on_an_owner_without_healthy_backends()
    {
        var timeline = new Timeline();
        await using var cluster = await SimulatedCluster.StartAsync(3, Settings(keep: true), timeline, TimeSpan.FromSeconds(60));
        var owner = await cluster.WaitForOwnerAsync(TimeSpan.FromSeconds(30));
        cluster.Mark($"backends fail as seen from {owner.Name} (owner)");
        owner.Host.Backends.Healthy = false;
        var failedAt = timeline.Now;
        // Several times what off needs here (two failed checks, move-vip-after, a report and a handover).
        await Task.Delay(MoveAfter * 6);
        output.WriteLine(Timeline.Format(Timeline.Condense(timeline.Events), withLogs: false));
        Assert.Equal(owner, cluster.Owner());
        var holders = HoldIntervals.Compute(timeline.Events, timeline.Now).Where(h => h.Vip == cluster.Vip && h.End > failedAt).Select(h => h.Node).Distinct();
        Assert.Equal([owner.Name], holders);
    }
}
