using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// One node's agent with one real voter (a majority of one), one VIP on eth0, the in-memory kernel, a hand-driven link
/// watcher and a probe as allocator, on virtual time: what the link-tracking and fence-health tests share.
/// </summary>
public abstract class OneVoterAgentTestKit : VirtualTimeTestKit
{
    protected static readonly LeaseSettings Lease = new(1);
    protected const string Vip = "192.0.2.100";

    protected (KernelRecorder Kernel, IActorRef Agent, HandLinkWatcher Link, NodeId Self) Start(IActorRef allocator)
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
            new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Vip])));
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        var watcher = new HandLinkWatcher(KernelRecorder.Link);
        var voter = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel, LinkWatcher: watcher);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock, allocator), NodeAgent.Name);
        Started(voter, agent);
        return (kernel, agent, watcher, self);
    }

    /// <summary>Assigns the VIP at <paramref name="epoch"/> and waits until its address is up.</summary>
    protected void Hold(KernelRecorder kernel, IActorRef agent, long epoch)
    {
        agent.Tell(new Assign(Vip, epoch));
        AdvanceUntil(() => kernel.HasAddress(Vip + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
    }
}
