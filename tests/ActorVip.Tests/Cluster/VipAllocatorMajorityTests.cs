using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// The allocator's majority gate with three configured voters and one Up member: a voter that answers but is not (yet)
/// a member counts, as when the split brain resolver removed a node that is joining again as a new incarnation and
/// Akka admits it only once every other fault healed (the nemesis: 6.2 s dark). The window itself: VoterContactTests.
/// </summary>
public sealed class VipAllocatorMajorityTests() : TestKit(OneNodeCluster.Config)
{
    private static readonly LeaseSettings Lease = new(3);

    /// <summary>A voter in an actor system of its own that never joins the cluster: a node between two incarnations.</summary>
    private NodeId StartOutsideVoter()
    {
        var outside = ActorSystem.Create(Sys.Name, OneNodeCluster.OutsideConfig);
        var address = ((ExtendedActorSystem)outside).Provider.DefaultAddress;
        var id = new NodeId(address.ToString());
        outside.ActorOf(VoterActor.Props(Lease, id, new MonotonicClock()), VoterActor.Name);
        _outside = outside;
        return id;
    }

    private ActorSystem? _outside;

    protected override void AfterAll()
    {
        _outside?.Terminate().Wait(TimeSpan.FromSeconds(10));
        _member?.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    /// <summary>A second cluster member with a stand-in agent and no voter: a node killed a moment ago, still Up in the membership.</summary>
    private Akka.TestKit.TestProbe StartSilentMember()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        var member = ActorSystem.Create(Sys.Name, OneNodeCluster.Config);
        _member = member;
        var agent = CreateTestProbe(member);
        member.ActorOf(Props.Create(() => new OneNodeCluster.Forward(agent.Ref)), AgentPath.Name);
        Akka.Cluster.Cluster.Get(member).Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2,
            TimeSpan.FromSeconds(20));
        return agent;
    }

    private ActorSystem? _member;

    private (Akka.TestKit.TestProbe Agent, NodeId Self) StartAllocator(NodeId second, NodeId? third = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == Akka.Cluster.MemberStatus.Up), TimeSpan.FromSeconds(10));
        var self = new NodeId(cluster.SelfAddress.ToString());
        var clock = new MonotonicClock();
        Sys.ActorOf(VoterActor.Props(Lease, self, clock), VoterActor.Name);
        var agent = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new OneNodeCluster.Forward(agent.Ref)), AgentPath.Name);
        // The third voter, unless given, is an address nobody listens on (TEST-NET, never reached: the association just fails).
        var absent = third ?? new NodeId($"akka.tcp://{Sys.Name}@192.0.2.99:4053");
        Sys.ActorOf(VipAllocator.Props([new VipSpec("192.0.2.100")], Lease, [self, second, absent], TimeSpan.FromMilliseconds(100), clock,
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), VipAllocator.Name);
        return (agent, self);
    }

    [Fact]
    public void A_voter_that_answers_but_is_not_a_member_completes_the_majority()
    {
        var (agent, self) = StartAllocator(StartOutsideVoter());
        // Placed on the only member; the lease then needs that node's voter and the outside one, which both answer.
        var assign = agent.FishForMessage<Assign>(m => m.Vip == "192.0.2.100", TimeSpan.FromSeconds(10));
        Assert.True(assign.Epoch > 0, $"{assign} for {self}");
    }

    [Fact]
    public void A_member_whose_voter_does_not_answer_is_given_no_vip()
    {
        // The allocator's node would hand the VIP to the other member (Placement leaves no VIP on the allocator's node while
        // another eligible node serves), but that member's voter never answers: the VIP must stay here, not go dark there.
        var silent = StartSilentMember();
        var silentId = new NodeId(Akka.Cluster.Cluster.Get(_member!).SelfAddress.ToString());
        var (agent, self) = StartAllocator(StartOutsideVoter(), silentId);
        var assign = agent.FishForMessage<Assign>(m => m.Vip == "192.0.2.100", TimeSpan.FromSeconds(10));
        Assert.True(assign.Epoch > 0, $"{assign} for {self}");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (until - DateTime.UtcNow is { Ticks: > 0 } left)
        {
            var got = silent.ReceiveOne(left);
            Assert.False(got is Assign, $"the silent member was given the VIP: {got}");
        }
    }
}
