using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// An allocator whose node was cut off from a majority of the voters, at the heal: its own voter heard nothing from the owner
/// on the far side, which renewed with the majority all along. It must not move the VIP off that owner on its own voter's
/// silence. The five-node nemesis (seed 20261209, #26): the cut-off allocator's node took the VIP from the live owner the
/// moment the partition healed, the majority's split brain resolver downed that node a second later, and the VIP was dark
/// 930 ms. The pure rule: OwnerLivenessTests.Back_in_contact_with_a_majority_...
/// </summary>
public sealed class VipAllocatorHealTests() : TestKit(OneNodeCluster.Config)
{
    private const string Vip = "192.0.2.100";
    private static readonly LeaseSettings Lease = new(3);

    private ActorSystem? _member;
    private ActorSystem? _outside;
    private volatile bool _renewToAllocatorNode = true;
    private volatile bool _renewing;

    protected override void AfterAll()
    {
        _renewing = false;
        _member?.Terminate().Wait(TimeSpan.FromSeconds(10));
        _outside?.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    [Fact]
    public async Task A_live_owner_keeps_its_vip_when_the_allocators_node_comes_back_from_a_minority()
    {
        // A: this system (allocator, voter, stand-in agent). B: a second member (voter, stand-in agent), the owner to be.
        // C: a voter outside the cluster. Voters A, B, C: a majority is two.
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        _member = ActorSystem.Create(Sys.Name, OneNodeCluster.Config);
        var bAgent = CreateTestProbe(_member);
        _member.ActorOf(Props.Create(() => new OneNodeCluster.Forward(bAgent.Ref)), AgentPath.Name);
        var b = new NodeId(Akka.Cluster.Cluster.Get(_member).SelfAddress.ToString());
        var bVoter = _member.ActorOf(VoterActor.Props(Lease, b, new MonotonicClock()), VoterActor.Name);
        Akka.Cluster.Cluster.Get(_member).Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2, TimeSpan.FromSeconds(20));

        _outside = ActorSystem.Create(Sys.Name, OneNodeCluster.OutsideConfig);
        var c = new NodeId(((ExtendedActorSystem)_outside).Provider.DefaultAddress.ToString());
        var cVoter = _outside.ActorOf(VoterActor.Props(Lease, c, new MonotonicClock()), VoterActor.Name);

        var a = new NodeId(cluster.SelfAddress.ToString());
        var clock = new MonotonicClock();
        Sys.ActorOf(VoterActor.Props(Lease, a, clock), VoterActor.Name);
        var aAgent = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new OneNodeCluster.Forward(aAgent.Ref)), AgentPath.Name);
        Sys.ActorOf(VipAllocator.Props([new VipSpec(Vip)], Lease, [a, b, c], TimeSpan.FromMilliseconds(100), clock,
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), VipAllocator.Name);

        // Placed on B (no VIP stays on the allocator's node while another serves); the test renews for B as its agent would.
        var assign = bAgent.FishForMessage<Assign>(m => m.Vip == Vip, TimeSpan.FromSeconds(20));
        var renewals = RenewAsOwner(b, assign.Epoch, [a, b, c]);
        await Task.Delay(1500);

        // The partition: the allocator's node hears neither B's nor C's voter (the allocator drops below a majority and
        // decides nothing), and its own voter no longer hears the owner, whose promise there runs out.
        _renewToAllocatorNode = false;
        Watch(bVoter);
        Watch(cVoter);
        _member.Stop(bVoter);
        _outside.Stop(cVoter);
        var stopped = ReceiveN(2, TimeSpan.FromSeconds(10)).OfType<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.True(stopped.SetEquals([bVoter, cVoter]), $"stopped: {string.Join(", ", stopped)}");
        await Task.Delay(Lease.PromiseTime * 2);
        aAgent.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => m);

        // The heal: B's and C's voters answer the allocator again (as restarted voters, which refuse the owner for a while),
        // and the owner's next renewal reaches the allocator's node's voter within its renewal interval, after the allocator
        // is back in contact (its presence renewals go out every renewal interval).
        _member.ActorOf(VoterActor.Props(Lease, b, new MonotonicClock()), VoterActor.Name);
        _outside.ActorOf(VoterActor.Props(Lease, c, new MonotonicClock()), VoterActor.Name);
        await Task.Delay(Lease.RenewInterval + TimeSpan.FromMilliseconds(150));
        _renewToAllocatorNode = true;
        Sys.ActorSelection(VoterActor.PathOf(a)).Tell(new Renew(Vip, assign.Epoch, b, 0), CreateTestProbe().Ref);

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (until - DateTime.UtcNow is { Ticks: > 0 } left)
        {
            var got = aAgent.ReceiveOne(left);
            Assert.False(got is Assign { Vip: Vip } moved && moved.Epoch > assign.Epoch,
                $"the allocator moved {Vip} off its live owner at the heal: {got}");
        }
        _renewing = false;
        await renewals.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(bAgent.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => m is Revoke { Vip: Vip } ? m : null).OfType<Revoke>());
    }

    /// <summary>Renews <see cref="Vip"/> for <paramref name="owner"/> every renewal interval, to A only while the link allows.</summary>
    private Task RenewAsOwner(NodeId owner, long epoch, NodeId[] voters)
    {
        _renewing = true;
        var answers = CreateTestProbe();
        return Task.Run(async () =>
        {
            long id = 0;
            while (_renewing)
            {
                id++;
                for (var i = 0; i < voters.Length; i++)
                {
                    if (i == 0 && !_renewToAllocatorNode) continue;
                    Sys.ActorSelection(VoterActor.PathOf(voters[i])).Tell(new Renew(Vip, epoch, owner, id), answers.Ref);
                }
                await Task.Delay(Lease.RenewInterval);
            }
        });
    }
}
