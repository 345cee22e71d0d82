using System.Collections;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using Akka.Cluster.SBR;
using Akka.Configuration;
using Akka.Remote;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// Akka's settings that the VIPs' liveness depends on, as a node runs them, read back by Akka's own settings classes
/// over Akka's own defaults (a key left out means Akka's default, not off). docs/DESIGN-NOTES.md, "Removed from the
/// cluster" and "Known Akka behaviour".
/// </summary>
public class AkkaSettingsTests
{
    /// <summary>
    /// Keep-majority among the vip members, and never "down all" on a reachability that keeps changing, which downed the
    /// VIPs' owners with everyone else (a five-node nemesis: 987 ms dark in a rolling restart, 262 ms after a healed partition).
    /// </summary>
    [Fact]
    public void The_resolver_keeps_the_majority_of_vip_members_and_never_downs_all_of_them()
    {
        var resolver = new SplitBrainResolverSettings(NodeConfigOver<Akka.Cluster.ClusterSettings>("Akka.Cluster.Configuration.Cluster.conf"));
        Assert.Equal(SplitBrainResolverSettings.KeepMajorityName, resolver.DowningStrategy);
        Assert.Equal("vip", resolver.KeepMajorityRole);
        Assert.Equal(TimeSpan.FromSeconds(3), resolver.DowningStableAfter);
        Assert.Equal(TimeSpan.Zero, resolver.DownAllWhenUnstable);
    }

    /// <summary>
    /// A failed association is retried after 500 ms, and a node writes only over connections it opened: with Akka's
    /// passive connections a peer restarted on its address could be left reading a connection nobody wrote on (a
    /// five-node rolling restart: 15 and 32 Up members marked unreachable in two runs, the owner downed, 850 ms dark).
    /// </summary>
    [Fact]
    public void A_node_retries_a_failed_peer_soon_and_writes_only_on_connections_it_opened()
    {
        var remote = new RemoteSettings(NodeConfigOver<RemoteSettings>("Akka.Remote.Configuration.Remote.conf"));
        Assert.False(remote.UsePassiveConnections);
        Assert.Equal(TimeSpan.FromMilliseconds(500), remote.RetryGateClosedFor);
    }

    /// <summary>A default node's Akka configuration over the Akka defaults in <paramref name="resource"/> of <typeparamref name="T"/>'s assembly.</summary>
    private static Config NodeConfigOver<T>(string resource)
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new Hashtable(), new HoconOverrides()));
        return ClusterConfig.Build(settings, ConfigSources.Reference()).WithFallback(ConfigurationFactory.FromResource<T>(resource));
    }
}
