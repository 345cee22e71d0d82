using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// The agent with one real voter in the same actor system (a single-node lease), and a probe as allocator, on virtual
/// time (<see cref="VirtualTimeTestKit"/>).
/// </summary>
public class NodeAgentTests : VirtualTimeTestKit
{
    private static readonly LeaseSettings Lease = new(1);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private (KernelRecorder Kernel, IActorRef Agent, IActorRef Voter, NodeId Self) Start(IActorRef allocator)
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
            new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", ["192.0.2.100"])));
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock,
            allocator), NodeAgent.Name);
        Started(voter, agent);
        return (kernel, agent, voter, self);
    }

    [Fact]
    public void An_assigned_vip_is_held_only_once_the_majority_acked_and_dropped_when_the_voter_goes_silent()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, voter, _) = Start(allocator);
        agent.Tell(new Assign("192.0.2.100", 1));
        // The voter acks nobody during its restart quiet period (lease-time + margin), then grants.
        var granted = AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.InRange(granted, Lease.PromiseTime, Lease.PromiseTime + Lease.RenewInterval + Step);
        Assert.StartsWith("own 192.0.2.100", kernel.Calls.First(c => c.StartsWith("own", StringComparison.Ordinal)));

        Watch(voter);
        Sys.Stop(voter); // no more acks: the lease lapses within lease-time
        ExpectTerminated(voter);
        AdvanceUntil(() => !kernel.HasAddress("192.0.2.100/32"), Lease.LeaseTime + Step);
        Assert.Contains("disown 192.0.2.100", kernel.Calls);
    }

    [Fact]
    public void The_agent_answers_a_ping_the_service_watchdog_sends()
    {
        var (_, agent, _, _) = Start(CreateTestProbe());
        agent.Tell(Ping.Instance);
        ExpectMsg<Pong>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Release_all_drops_every_vip_tells_the_allocator_and_answers_when_done()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, self) = Start(allocator);
        agent.Tell(new Assign("192.0.2.100", 1));
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);

        agent.Tell(new ReleaseAll("test"));
        ExpectMsg<AllReleased>(TimeSpan.FromSeconds(5));
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
        allocator.FishForMessage(m => m is Leaving l && l.Node == self, TimeSpan.FromSeconds(5));
        allocator.FishForMessage(m => m is Released r && r.Vip == "192.0.2.100" && r.Epoch == 1, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_revoke_with_a_higher_epoch_releases_and_a_stale_one_is_ignored()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, _) = Start(allocator);
        agent.Tell(new Assign("192.0.2.100", 5));
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        agent.Tell(new Revoke("192.0.2.100", 4));
        agent.Tell(new Revoke("192.0.2.100", 5));
        Scheduler.Advance(TimeSpan.FromMilliseconds(300));
        ExpectNoMsg(TimeSpan.FromMilliseconds(1));
        Assert.True(kernel.HasAddress("192.0.2.100/32"));
        agent.Tell(new Revoke("192.0.2.100", 6));
        AdvanceUntil(() => !kernel.HasAddress("192.0.2.100/32"), Lease.RenewInterval);
    }

    [Fact]
    public void An_assignment_of_a_vip_not_configured_here_is_ignored()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, _) = Start(allocator);
        agent.Tell(new Assign("198.51.100.1", 1));
        agent.Tell(new Assign("192.0.2.100", 1));
        AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.DoesNotContain(kernel.Calls, c => c.Contains("198.51.100.1", StringComparison.Ordinal));
    }

    private static readonly NodeId Other = new("akka.tcp://actorvip@192.0.2.13:4053");
    private static readonly NodeId Dead = new("akka.tcp://actorvip@192.0.2.12:4053");

    /// <summary>The voter past its quiet period, promised to <paramref name="holder"/> at epoch 3 from now on.</summary>
    private void PromiseTo(IActorRef voter, NodeId holder)
    {
        Scheduler.Advance(Lease.PromiseTime + Step);
        voter.Tell(new Renew("192.0.2.100", 3, holder, 1, AckWanted: false));
        Scheduler.Advance(Step);
    }

    [Fact]
    public void A_deputys_claim_yields_at_once_to_another_claimant()
    {
        // Two claimants would otherwise each keep the promises they got and split the votes for as long as both renew.
        var allocator = CreateTestProbe();
        var (kernel, agent, voter, self) = Start(allocator);
        PromiseTo(voter, Other);
        agent.Tell(new Claim("192.0.2.100", 4, PreviousOwner: Dead));
        Scheduler.Advance(NodeAgent.AcquireWindow); // the acquisition's first renewal round
        var released = allocator.FishForMessage<Released>(m => m is Released, TimeSpan.FromSeconds(5));
        Assert.Equal(("192.0.2.100", 4L, self), (released.Vip, released.Epoch, released.Owner));
        Scheduler.Advance(Lease.PromiseTime * 2);
        Assert.False(kernel.HasAddress("192.0.2.100/32"));
    }

    [Fact]
    public void A_deputys_claim_waits_out_the_promise_to_the_owner_it_replaces()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, voter, _) = Start(allocator);
        PromiseTo(voter, Dead);
        agent.Tell(new Claim("192.0.2.100", 4, PreviousOwner: Dead));
        // The dead owner's promise runs out (it renews no more); the claim is then granted.
        var granted = AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.InRange(granted, TimeSpan.Zero, Lease.PromiseTime + Lease.RenewInterval);
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void An_assignment_outranks_a_claim_and_a_claim_never_replaces_a_placement()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, voter, _) = Start(allocator);
        var acquired = CreateTestProbe();
        Sys.EventStream.Subscribe(acquired.Ref, typeof(VipAcquired));
        PromiseTo(voter, Other);
        agent.Tell(new Assign("192.0.2.100", 4));
        agent.Tell(new Claim("192.0.2.100", 5, PreviousOwner: Dead)); // ignored: placed here already
        // Assigned, it does not yield to the other node: it waits until that promise runs out, then holds at epoch 4.
        var granted = AdvanceUntil(() => kernel.HasAddress("192.0.2.100/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.InRange(granted, TimeSpan.Zero, Lease.PromiseTime + Lease.RenewInterval);
        Assert.Equal(4, acquired.ExpectMsg<VipAcquired>(TimeSpan.FromSeconds(5)).Epoch);
    }
}
