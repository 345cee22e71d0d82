using System.CommandLine;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.Cli;

/// <summary>The flags that configure a node, shared by `run`, `check` and the commands that need a configuration.</summary>
public sealed class NodeOptions
{
    public Option<FileInfo?> Config { get; } = new("--config")
    {
        Description = "HOCON file read after reference.conf and before ACTORVIP_* variables and flags"
    };
    public Option<string?> Interface { get; } = new("--interface") { Description = "Interface that carries the VIPs, e.g. eth0" };
    public Option<string[]> Address { get; } = new("--address")
    {
        Description = "VIP[/PREFIX] to keep alive (default prefix /32 or /128); repeatable",
        AllowMultipleArgumentsPerToken = false
    };
    public Option<string?> NodeAddress { get; } = new("--node-address") { Description = "HOST:PORT for Akka remoting (bind and public address)" };
    public Option<string[]> Seed { get; } = new("--seed") { Description = "Seed node HOST:PORT, repeatable; the same ordered list on every node" };
    public Option<string?> Nodes { get; } = new("--nodes") { Description = "Configured number of voting vip nodes (majority = N/2+1)" };
    public Option<string?> LbPort { get; } = new("--lb-port") { Description = "VIP port balanced by IPVS (turns load balancing on)" };
    public Option<string?> BackendPort { get; } = new("--backend-port") { Description = "Backends' port (default: the lb port)" };
    public Option<string?> FwdMethod { get; } = new("--fwdmethod") { Description = "local | masquerade | tunnel | directroute | bypass" };
    public Option<string[]> Backend { get; } = new("--backend") { Description = "Static backend HOST:PORT, repeatable" };
    public Option<string?> Scheduler { get; } = new("--scheduler") { Description = "IPVS scheduler (default rr)" };
    public Option<string?> MetricsAddress { get; } = new("--metrics-address")
    {
        Description = "HOST:PORT (or :PORT for every address) for /metrics, /healthz, /readyz, /status and /reload (default 127.0.0.1:2112)"
    };

    public Option<string?> TlsCertificate { get; } = new("--tls-certificate")
    {
        Description = "This node's certificate, PEM (with --tls-key) or PFX (password in ACTORVIP_TLS_PASSWORD); turns cluster TLS on"
    };
    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "PEM private key of --tls-certificate" };
    public Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "Cluster CA certificate (PEM) that every node's certificate must be signed by" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Interface, Address, NodeAddress, Seed, Nodes, LbPort, BackendPort, FwdMethod, Backend, Scheduler,
            MetricsAddress, TlsCertificate, TlsKey, TlsCa })
            command.Options.Add(option);
    }

    /// <summary>The flags given on the command line, as HOCON overrides (the last source, so they win).</summary>
    public HoconOverrides Overrides(ParseResult result)
    {
        var o = new HoconOverrides();
        if (result.GetValue(Interface) is { } iface) o.Set("actorvip.interface", iface);
        if (result.GetValue(Address) is { Length: > 0 } addresses) o.SetList("actorvip.addresses", addresses);
        if (result.GetValue(NodeAddress) is { } nodeAddress) o.Set("actorvip.node-address", nodeAddress);
        if (result.GetValue(Seed) is { Length: > 0 } seeds) o.SetList("actorvip.seeds", seeds);
        if (result.GetValue(Nodes) is { } nodes) o.Set("actorvip.nodes", nodes);
        if (result.GetValue(LbPort) is { } lbPort)
        {
            o.Set("actorvip.lb.enabled", "on");
            o.Set("actorvip.lb.port", lbPort);
        }
        if (result.GetValue(BackendPort) is { } backendPort) o.Set("actorvip.lb.backend-port", backendPort);
        if (result.GetValue(FwdMethod) is { } method) o.Set("actorvip.lb.fwdmethod", method);
        if (result.GetValue(Backend) is { Length: > 0 } backends) o.SetList("actorvip.lb.backends", backends);
        if (result.GetValue(Scheduler) is { } scheduler) o.Set("actorvip.lb.scheduler", scheduler);
        if (result.GetValue(MetricsAddress) is { } metrics) o.Set("actorvip.metrics-address", metrics);
        if (result.GetValue(TlsCertificate) is { } certificate)
        {
            o.Set("actorvip.tls.enabled", "on");
            o.Set("actorvip.tls.certificate", certificate);
        }
        if (result.GetValue(TlsKey) is { } key) o.Set("actorvip.tls.key", key);
        if (result.GetValue(TlsCa) is { } ca) o.Set("actorvip.tls.ca", ca);
        return o;
    }

    /// <summary>Composes and validates the configuration; throws ConfigException with the one line to show.</summary>
    public (NodeSettings Settings, Akka.Configuration.Config Config) Load(ParseResult result) => Load(result, Overrides(result));

    /// <summary>The configuration from every source (file, environment, these overrides), not yet validated.</summary>
    public Akka.Configuration.Config Compose(ParseResult result, HoconOverrides overrides) =>
        ConfigSources.Compose(result.GetValue(Config)?.FullName, Environment.GetEnvironmentVariables(), overrides);

    /// <summary>As <see cref="Load(ParseResult)"/>, with the overrides the caller made from the flags.</summary>
    public (NodeSettings Settings, Akka.Configuration.Config Config) Load(ParseResult result, HoconOverrides overrides)
    {
        var config = Compose(result, overrides);
        return (SettingsReader.Read(config), config);
    }
}
