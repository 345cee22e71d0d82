using ActorVip.Node.Configuration;
using Akka.Configuration;

namespace ActorVip.Node.Hosting;

/// <summary>Turns node settings into the Akka remoting and cluster settings they imply.</summary>
public static class ClusterConfig
{
    /// <summary>Akka's address scheme: the DotNetty transport names itself ssl.tcp when TLS is on (verified with 1.5.73).</summary>
    public static string ProtocolOf(NodeSettings settings) => settings.TransportSecurity.Enabled ? "akka.ssl.tcp" : "akka.tcp";

    public static string SeedAddress(string systemName, Endpoint seed, string scheme = "akka.tcp") => $"{scheme}://{systemName}@{seed}";

    /// <summary>
    /// The Akka configuration of a node. Every node lists the same ordered seeds; only the first seed
    /// may form a new cluster by itself, so two clusters cannot form at start. Without seeds the node
    /// joins itself (a single-node cluster).
    /// </summary>
    public static Config Build(NodeSettings settings, Config baseConfig, string? protocol = null)
    {
        protocol ??= ProtocolOf(settings);
        var seeds = settings.Seeds.Count > 0 ? settings.Seeds : [settings.NodeAddress];
        var seedList = string.Join(", ", seeds.Select(s => Quote(SeedAddress(settings.SystemName, s, protocol))));
        var host = settings.NodeAddress.Host;
        var text = $$"""
            akka.remote.dot-netty.tcp.hostname = {{Quote(host)}}
            akka.remote.dot-netty.tcp.public-hostname = {{Quote(host)}}
            akka.remote.dot-netty.tcp.port = {{settings.NodeAddress.Port}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(settings.TransportSecurity.Enabled ? "on" : "off")}}
            akka.cluster.seed-nodes = [{{seedList}}]
            akka.cluster.min-nr-of-members = 1
            akka.cluster.split-brain-resolver.keep-majority.role = "vip"
            """;
        return ConfigurationFactory.ParseString(text).WithFallback(baseConfig);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
