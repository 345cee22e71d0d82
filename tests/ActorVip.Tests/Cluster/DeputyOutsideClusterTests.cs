using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// Deputies on nodes that are members of no cluster. Seen in CI: the first seed (the allocator's node and the owner) was
/// killed before the other two had joined it, or the split brain resolver downed every survivor and they joined again
/// in-process; only the first seed may form a new cluster, so nothing re-formed, and the VIP stayed dark although two of
/// three voters were alive and their promises had run out. Deputies that took part only as Up members never claimed it.
/// </summary>
public sealed class DeputyOutsideClusterTests : IDisposable
{
    private const string Vip = "192.0.2.100";
    private static readonly LeaseSettings Lease = new(3);

    /// <summary>The lost first seed: nothing listens on port 1 of loopback.</summary>
    private static readonly NodeId Lost = new("akka.tcp://actorvip@127.0.0.1:1");

    private readonly List<ActorSystem> _systems = [];
    private readonly ConcurrentQueue<(NodeId Node, Claim Claim)> _claims = new();

    /// <summary>Both survivors' voters report what the lost node left: its allocator presence and its VIP, both run out.</summary>
    [Fact]
    public void Survivors_in_no_cluster_place_the_vip_when_the_lost_nodes_promises_ran_out()
    {
        var survivors = new[] { StartNode(), StartNode() };
        var voters = new[] { Lost, survivors[0].Id, survivors[1].Id };
        foreach (var (system, id) in survivors)
            system.ActorOf(DeputyAllocator.Props([new VipSpec(Vip)], Lease, voters, id), DeputyAllocator.Name);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_claims.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(50);
        // A moment more: a second claimant would show up within the same look.
        Thread.Sleep(Lease.PromiseTime);

        Assert.False(_claims.IsEmpty, "no deputy claimed the VIP: nodes outside any cluster took no part, so it stayed dark");
        // One claimant (the stand-in voters never record the claim, so it may claim again at its next look).
        var claimant = Assert.Single(_claims.Select(c => c.Node).Distinct());
        Assert.All(_claims, c => Assert.Equal(Vip, c.Claim.Vip));
        Assert.All(_claims, c => Assert.True(c.Claim.Epoch > 7, $"claimed at epoch {c.Claim.Epoch}, not above the 7 the voters reported"));
        // The voters' order stands in for the members' age: the first survivor takes the allocator's seat and is avoided.
        Assert.Equal(survivors[1].Id, claimant);
    }

    /// <summary>A node process without a cluster: its own actor system, a voter that reports the lost node's promises, an agent that records claims.</summary>
    private (ActorSystem System, NodeId Id) StartNode()
    {
        // reference.conf's serializers: the deputy's GetPromises and the voters' answers cross real loopback sockets.
        var system = ActorSystem.Create("actorvip", OneNodeCluster.Config.WithFallback(ActorVip.Node.Configuration.ConfigSources.Reference()));
        _systems.Add(system);
        var id = new NodeId(((ExtendedActorSystem)system).Provider.DefaultAddress.ToString());
        system.ActorOf(Props.Create(() => new ReportingVoter(id)), VoterActor.Name);
        system.ActorOf(Props.Create(() => new RecordingAgent(id, _claims)), AgentPath.Name);
        return (system, id);
    }

    public void Dispose()
    {
        foreach (var system in _systems) system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>A voter that last heard the lost node as allocator (epoch 3) and as the VIP's owner (epoch 7); both promises ran out.</summary>
    private sealed class ReportingVoter : ReceiveActor
    {
        public ReportingVoter(NodeId self) => Receive<GetPromises>(_ => Sender.Tell(new VoterPromises(self,
        [
            new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, Lost),
            new PromiseInfo(Vip, null, 0, TimeSpan.Zero, 7, Lost),
        ])));
    }

    private sealed class RecordingAgent : ReceiveActor
    {
        public RecordingAgent(NodeId self, ConcurrentQueue<(NodeId, Claim)> claims) => Receive<Claim>(c => claims.Enqueue((self, c)));
    }
}
