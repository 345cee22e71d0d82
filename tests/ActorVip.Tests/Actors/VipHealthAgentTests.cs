using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using ActorVip.Tests.Configuration;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>The agent starts /user/agent/vip-health for the health-tracked VIPs (issue 14 §1), and only then.</summary>
public class VipHealthAgentTests : VirtualTimeTestKit
{
    private static readonly LeaseSettings Lease = new(1);

    private (IActorRef Agent, NodeId Self) Start(IActorRef allocator, string extra)
    {
        var settings = VipServicesTests.ReadFile($"actorvip {{ interface = eth0, addresses = [\"192.0.2.100\", \"192.0.2.101\"]\n{extra}\n}}");
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock, allocator), NodeAgent.Name);
        Started(voter, agent);
        return (agent, self);
    }

    [Fact]
    public void With_health_checks_the_agent_reports_every_tracked_vip_to_the_allocator_from_its_vip_health_child()
    {
        var allocator = CreateTestProbe();
        var (_, self) = Start(allocator, "health-checks = [ { type = exec, command = \"/bin/true\" } ], when-none-healthy = release");
        var report = (VipHealthReport)allocator.FishForMessage(m => m is VipHealthReport, TimeSpan.FromSeconds(5));
        Assert.Equal(self, report.Node);
        Assert.Equal([new VipHealthEntry("192.0.2.100", VipHealth.Unknown, true), new VipHealthEntry("192.0.2.101", VipHealth.Unknown, true)],
            report.Vips);
        Assert.Equal("/user/agent/vip-health", allocator.LastSender.Path.ToStringWithoutAddress());
    }

    [Fact]
    public void Without_health_checks_nothing_is_reported()
    {
        var allocator = CreateTestProbe();
        Start(allocator, "");
        Scheduler.Advance(VipHealthWatch.ResendInterval * 2);
        Assert.ThrowsAny<Exception>(() => allocator.FishForMessage(m => m is VipHealthReport, TimeSpan.FromMilliseconds(300)));
    }
}
