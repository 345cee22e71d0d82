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

    /// <summary>Stands at the agent's path and forwards all it gets to a probe.</summary>
    public sealed class Forward : ReceiveActor
    {
        public Forward(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }
}
