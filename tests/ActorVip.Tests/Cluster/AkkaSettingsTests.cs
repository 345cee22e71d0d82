using System.Collections;
using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using Akka.Cluster.SBR;
using Akka.Configuration;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// The split brain resolver as a node runs it, read back by Akka's own settings class: keep-majority among the vip members,
/// and never "down all" on a reachability that keeps changing, which downed the VIPs' owners with everyone else (a five-node
/// nemesis: 987 ms dark in a rolling restart, 262 ms after a healed partition). docs/DESIGN-NOTES.md, "Removed from the cluster".
/// </summary>
public class ResolverSettingsTests
{
    [Fact]
    public void The_resolver_keeps_the_majority_of_vip_members_and_never_downs_all_of_them()
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new Hashtable(), new HoconOverrides()));
        // Over Akka's own defaults, as the actor system reads it: a key left out means Akka's default ("on"), not off.
        var akka = ClusterConfig.Build(settings, ConfigSources.Reference()).WithFallback(
            ConfigurationFactory.FromResource<Akka.Cluster.ClusterSettings>("Akka.Cluster.Configuration.Cluster.conf"));
        var resolver = new SplitBrainResolverSettings(akka);
        Assert.Equal(SplitBrainResolverSettings.KeepMajorityName, resolver.DowningStrategy);
        Assert.Equal("vip", resolver.KeepMajorityRole);
        Assert.Equal(TimeSpan.FromSeconds(3), resolver.DowningStableAfter);
        Assert.Equal(TimeSpan.Zero, resolver.DownAllWhenUnstable);
    }
}
