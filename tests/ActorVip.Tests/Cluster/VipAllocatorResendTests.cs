using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using ActorVip.Cluster.Actors;
using ActorVip.Cluster.Ownership;
using ActorVip.Cluster.Time;
using ActorVip.Messages.Ownership;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// The allocator on a one-node cluster (its own voter, a probe as the node's agent): it places the VIP at once and then
/// re-sends the unchanged assignment every <see cref="VipAllocator.ResendInterval"/>, not on every 100 ms tick.
/// </summary>
public sealed class VipAllocatorResendTests() : TestKit(ConfigurationFactory.ParseString(
    """
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp.hostname = 127.0.0.1
    akka.remote.dot-netty.tcp.port = 0
    akka.cluster.roles = [vip]
    akka.loglevel = WARNING
    """))
{
    private sealed class Forward : ReceiveActor
    {
        public Forward(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }

    [Fact]
    public void An_unchanged_assignment_is_re_sent_every_resend_interval_not_every_tick()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == Akka.Cluster.MemberStatus.Up), TimeSpan.FromSeconds(10));
        var self = new NodeId(cluster.SelfAddress.ToString());
        var lease = new LeaseSettings(1);
        var clock = new MonotonicClock();
        Sys.ActorOf(VoterActor.Props(lease, self, clock), VoterActor.Name);
        var agent = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Forward(agent.Ref)), AgentPath.Name);
        Sys.ActorOf(VipAllocator.Props([new VipSpec("192.0.2.100")], lease, [self], TimeSpan.FromMilliseconds(100), clock,
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), VipAllocator.Name);

        var first = agent.ExpectMsg<Assign>(TimeSpan.FromSeconds(10));
        Assert.Equal("192.0.2.100", first.Vip);
        // Over 2 s of 100 ms ticks: about 4 re-sends at 500 ms, where every tick would have made 20.
        var resent = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until)
        {
            if (agent.ReceiveOne(until - DateTime.UtcNow) is Assign again)
            {
                Assert.Equal(first, again);
                resent++;
            }
        }
        Assert.InRange(resent, 2, 6);
    }
}
