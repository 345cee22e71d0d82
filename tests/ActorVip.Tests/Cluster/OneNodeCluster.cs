using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using Akka.Actor;
using Akka.Configuration;

namespace ActorVip.Tests.Cluster;

/// <summary>What the allocator tests share: a cluster actor system on loopback with the vip role, and a stand-in agent.</summary>
internal static class OneNodeCluster
{
    public static Config Config => ConfigurationFactory.ParseString(
        """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [vip]
        akka.loglevel = WARNING
        """);

    /// <summary>An actor system that never joins the cluster, reachable on loopback: a voter's node between two incarnations.</summary>
    public static Config OutsideConfig => ConfigurationFactory.ParseString(
        """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.loglevel = WARNING
        """);

    /// <summary>
    /// Stands at the agent's path and forwards all it gets to a probe, a <see cref="Placements"/> as the revokes and assignments
    /// it carries, in the order the agent takes them; the queue it is given sees each message as it came. An allocator's
    /// <see cref="GetDeclaration"/> it leaves unanswered, as a node before declarations does (VipAllocatorReasonTests declares for it).
    /// </summary>
    public sealed class Forward : ReceiveActor
    {
        public Forward(IActorRef to) : this(to, new ConcurrentQueue<object>())
        {
        }

        public Forward(IActorRef to, ConcurrentQueue<object> arrived) => ReceiveAny(m =>
        {
            if (m is GetDeclaration) return;
            arrived.Enqueue(m);
            if (m is not Placements p)
            {
                to.Forward(m);
                return;
            }
            foreach (var revoke in p.Revokes) to.Tell(revoke, Sender);
            foreach (var assign in p.Assigns) to.Tell(assign, Sender);
        });
    }
}
