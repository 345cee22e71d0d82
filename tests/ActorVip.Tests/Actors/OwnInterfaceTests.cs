using System.Net.NetworkInformation;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.TestKit;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A VIP on its own interface (issue 14 §6): the agent adds, announces and removes it on that interface, follows that
/// interface's link, and a link loss there gives up that VIP only, telling the allocator which VIPs it cannot hold. One real
/// voter, a probe as allocator, a hand-driven link watcher for eth0 and eth1, virtual time.
/// </summary>
public class OwnInterfaceTests : VirtualTimeTestKit
{
    private static readonly LeaseSettings Lease = new(1);
    private const string NodeVip = "192.0.2.100";
    private const string OwnVip = "198.51.100.10";
    private static readonly InterfaceInfo Eth1 = new("eth1", 3, PhysicalAddress.Parse("02-00-00-00-00-02"), 1500, true, true);

    private (KernelRecorder Kernel, IActorRef Agent, HandLinkWatcher Links, NodeId Self) Start(IActorRef allocator)
    {
        var settings = ActorVip.Tests.Configuration.VipServicesTests.ReadFile($$"""
            actorvip { interface = eth0, vips = [ { address = "{{NodeVip}}" }, { address = "{{OwnVip}}", interface = eth1 } ] }
            """);
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var watcher = new HandLinkWatcher(KernelRecorder.Link, Eth1);
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel, LinkWatcher: watcher);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link, Eth1], drivers, Lease, [self], self, Clock, allocator), NodeAgent.Name);
        Started(voter, agent);
        return (kernel, agent, watcher, self);
    }

    private void Hold(KernelRecorder kernel, IActorRef agent, string vip, long epoch)
    {
        agent.Tell(new Assign(vip, epoch));
        AdvanceUntil(() => kernel.HasAddress(vip + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
    }

    /// <summary>An agent holding both VIPs, one on each interface, at epoch 1.</summary>
    private (TestProbe Allocator, KernelRecorder Kernel, IActorRef Agent, HandLinkWatcher Links, NodeId Self) HoldingBoth()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, links, self) = Start(allocator);
        Hold(kernel, agent, NodeVip, 1);
        Hold(kernel, agent, OwnVip, 1);
        return (allocator, kernel, agent, links, self);
    }

    /// <summary>Lets <paramref name="time"/> pass in small steps, so that every renewal round runs as it would (a VIP held stays held).</summary>
    private void Run(TimeSpan time)
    {
        for (var passed = TimeSpan.Zero; passed < time; passed += TimeSpan.FromMilliseconds(10)) Scheduler.Advance(TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public void A_vip_with_its_own_interface_is_added_announced_and_removed_there_and_the_others_on_the_nodes()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, links, _) = Start(allocator);
        Assert.Equal(["eth0", "eth1"], links.Watched);
        Hold(kernel, agent, NodeVip, 1);
        Hold(kernel, agent, OwnVip, 1);
        AdvanceUntil(() => kernel.OnInterface.Contains($"announce {OwnVip}/32 eth1"), Lease.RenewInterval);

        Assert.Contains($"add {OwnVip}/32 eth1", kernel.OnInterface);
        Assert.Contains($"add {NodeVip}/32 eth0", kernel.OnInterface);
        Assert.Contains($"announce {NodeVip}/32 eth0", kernel.OnInterface);
        Assert.DoesNotContain(kernel.OnInterface, c => c.StartsWith($"add {OwnVip}/32 eth0", StringComparison.Ordinal) ||
            c.StartsWith($"announce {OwnVip}/32 eth0", StringComparison.Ordinal));

        agent.Tell(new Revoke(OwnVip, 2));
        AdvanceUntil(() => !kernel.HasAddress(OwnVip + "/32"), Lease.RenewInterval);
        Assert.Contains($"remove {OwnVip}/32 eth1", kernel.OnInterface);
    }

    [Fact]
    public void Losing_the_vips_own_link_gives_up_that_vip_only_and_names_it_to_the_allocator()
    {
        var (allocator, kernel, agent, links, self) = HoldingBoth();

        links.Report(new LinkStatus("eth1", Eth1 with { LowerUp = false }));

        // Eligibility before Released, naming the VIPs of eth1 only: the node still holds those of eth0.
        var said = allocator.FishForMessage(m => m is Eligibility or Released, TimeSpan.FromSeconds(5));
        Assert.Equal(new Eligibility(self, false, "interface eth1 has no carrier", [OwnVip]), said);
        allocator.FishForMessage(m => m is Released r && r.Vip == OwnVip && r.Epoch == 1, TimeSpan.FromSeconds(5));
        AdvanceUntil(() => !kernel.HasAddress(OwnVip + "/32"), Lease.RenewInterval);
        Run(Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.True(kernel.HasAddress(NodeVip + "/32"));

        // Placed here again while eth1 is down: handed back; a VIP of eth0 is still taken.
        agent.Tell(new Assign(OwnVip, 3));
        allocator.FishForMessage(m => m is Released r && r.Vip == OwnVip && r.Epoch == 3, TimeSpan.FromSeconds(5));
        Run(Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.False(kernel.HasAddress(OwnVip + "/32"));

        links.Report(new LinkStatus("eth1", Eth1));
        allocator.FishForMessage(m => m is Eligibility { Eligible: true } e && e.Node == self, TimeSpan.FromSeconds(5));
        Hold(kernel, agent, OwnVip, 4);
        Assert.True(kernel.HasAddress(NodeVip + "/32"));
    }

    [Fact]
    public void Losing_the_nodes_link_keeps_the_vip_on_its_own_interface()
    {
        var (allocator, kernel, agent, links, self) = HoldingBoth();

        links.Report(new LinkStatus("eth0", null));

        Assert.Equal(new Eligibility(self, false, "interface eth0 does not exist", [NodeVip]),
            allocator.FishForMessage(m => m is Eligibility, TimeSpan.FromSeconds(5)));
        AdvanceUntil(() => !kernel.HasAddress(NodeVip + "/32"), Lease.RenewInterval);
        Run(Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.True(kernel.HasAddress(OwnVip + "/32"));

        // Both down: the node can hold none, said as a node with one interface always said it (no VIP list).
        links.Report(new LinkStatus("eth1", Eth1 with { AdminUp = false }));
        Assert.Equal(new Eligibility(self, false, "interface eth0 does not exist; interface eth1 is administratively down"),
            allocator.FishForMessage(m => m is Eligibility, TimeSpan.FromSeconds(5)));
    }
}
