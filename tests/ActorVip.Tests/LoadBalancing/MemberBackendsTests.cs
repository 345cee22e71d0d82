using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.LoadBalancing;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>MemberBackends on a real one-node cluster (127.0.0.1, a free port): the vip member itself becomes a backend.</summary>
public class MemberBackendsTests() : TestKit(@"
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
    akka.cluster.roles = [vip]
    akka.loglevel = WARNING")
{
    /// <summary>Stands in for the IpvsActor: the child reports to its parent, which passes it to the test.</summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(IActorRef probe, Props child)
        {
            Context.ActorOf(child, "members");
            ReceiveAny(m => probe.Tell(m));
        }
    }

    [Fact]
    public void An_up_vip_member_is_a_backend_at_its_host_and_the_backend_port()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        Sys.ActorOf(Props.Create(() => new Parent(TestActor, MemberBackends.Props(6443))));
        var changed = FishForMessage<MembersChanged>(m => m.Backends.Count > 0, TimeSpan.FromSeconds(20));
        Assert.Equal([new Endpoint("127.0.0.1", 6443)], changed.Backends);
    }
}
