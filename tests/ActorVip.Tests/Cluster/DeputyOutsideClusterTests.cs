using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.Cluster;

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

        var claimant = AwaitOneClaimant();
        // The voters' order stands in for the members' age: the first survivor takes the allocator's seat and is avoided.
        Assert.Equal(survivors[1].Id, claimant);
    }

    /// <summary>
    /// Both survivors are members still Joining (min-nr-of-members 3 keeps the leader from moving them Up): as three of five
    /// voters in CI were after a rack crash right after a join, each in its own view, for the 12 s until they were downed.
    /// </summary>
    [Fact]
    public void Survivors_still_joining_place_the_vip_when_the_lost_nodes_promises_ran_out()
    {
        const string joining = "akka.cluster.min-nr-of-members = 3";
        var survivors = new[] { StartNode(joining), StartNode(joining) };
        var first = Akka.Cluster.Cluster.Get(survivors[0].System);
        first.Join(first.SelfAddress);
        Akka.Cluster.Cluster.Get(survivors[1].System).Join(first.SelfAddress);
        foreach (var (system, _) in survivors)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!cluster.State.Members.Any(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress)) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.Equal(MemberStatus.Joining, cluster.State.Members.Single(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress)).Status);
        }
        var voters = new[] { Lost, survivors[0].Id, survivors[1].Id };
        foreach (var (system, id) in survivors)
            system.ActorOf(DeputyAllocator.Props([new VipSpec(Vip)], Lease, voters, id), DeputyAllocator.Name);

        var claimant = AwaitOneClaimant();
        Assert.Equal(survivors[1].Id, claimant);
        Assert.All(survivors, s => Assert.Equal(MemberStatus.Joining, Akka.Cluster.Cluster.Get(s.System).SelfMember.Status));
    }

    /// <summary>
    /// A cold start with the first seed down: the other two never join anything (only the first seed may form a cluster), and
    /// no allocator ever existed, so no voter has a record of anything. The VIP stayed dark for as long as the first seed was
    /// down; once the cold-start grace has passed, the two (a majority of voters) place it.
    /// </summary>
    [Fact]
    public void A_cold_start_without_the_first_seed_places_the_vip_after_the_grace()
    {
        var grace = TimeSpan.FromSeconds(2);
        var survivors = new[] { StartNode(coldStart: true), StartNode(coldStart: true) };
        var voters = new[] { Lost, survivors[0].Id, survivors[1].Id };
        var started = DateTime.UtcNow;
        foreach (var (system, id) in survivors)
            system.ActorOf(DeputyAllocator.Props([new VipSpec(Vip)], Lease, voters, id, grace), DeputyAllocator.Name);

        Thread.Sleep(grace / 2);
        Assert.True(_claims.IsEmpty, "a deputy claimed the VIP within the grace: the cluster may still be forming");
        var claimant = AwaitOneClaimant(minEpoch: 1);
        Assert.True(DateTime.UtcNow - started >= grace);
        Assert.Equal(survivors[1].Id, claimant);
    }

    /// <summary>Waits for claims, and a moment more (a second claimant would show up within the same look); returns the one claimant.</summary>
    private NodeId AwaitOneClaimant(long minEpoch = 8)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_claims.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Thread.Sleep(Lease.PromiseTime);
        Assert.False(_claims.IsEmpty, "no deputy claimed the VIP: a majority of voters answered and none had a live promise");
        var claimant = Assert.Single(_claims.Select(c => c.Node).Distinct());
        Assert.All(_claims, c => Assert.Equal(Vip, c.Claim.Vip));
        Assert.All(_claims, c => Assert.True(c.Claim.Epoch >= minEpoch, $"claimed at epoch {c.Claim.Epoch}, not above what the voters reported"));
        return claimant;
    }

    /// <summary>A node process without a cluster: its own actor system, a voter that reports the lost node's promises, an agent that records claims.</summary>
    /// <param name="coldStart">Its voter never heard of an allocator or a VIP (a new cluster); else it reports the lost node's promises.</param>
    private (ActorSystem System, NodeId Id) StartNode(string config = "", bool coldStart = false)
    {
        // reference.conf's serializers: the deputy's GetPromises and the voters' answers cross real loopback sockets.
        var settings = Akka.Configuration.ConfigurationFactory.ParseString(config).WithFallback(OneNodeCluster.Config)
            .WithFallback(ActorVip.Node.Configuration.ConfigSources.Reference());
        var system = ActorSystem.Create("actorvip", settings);
        _systems.Add(system);
        var id = new NodeId(((ExtendedActorSystem)system).Provider.DefaultAddress.ToString());
        if (coldStart) system.ActorOf(Props.Create(() => new EmptyVoter(id)), VoterActor.Name);
        else system.ActorOf(Props.Create(() => new ReportingVoter(id)), VoterActor.Name);
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

    /// <summary>A voter of a cluster that never formed: no allocator presence, no VIP.</summary>
    private sealed class EmptyVoter : ReceiveActor
    {
        public EmptyVoter(NodeId self) => Receive<GetPromises>(_ => Sender.Tell(new VoterPromises(self, [])));
    }

    private sealed class RecordingAgent : ReceiveActor
    {
        public RecordingAgent(NodeId self, ConcurrentQueue<(NodeId, Claim)> claims) => Receive<Claim>(c => claims.Enqueue((self, c)));
    }
}
