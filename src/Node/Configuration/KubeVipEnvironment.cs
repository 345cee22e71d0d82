using System.Collections;
using System.Globalization;

namespace ActorVip.Node.Configuration;

/// <summary>
/// kube-vip's environment names (pkg/kubevip/config_envvar.go), so that the env block of a kube-vip
/// manifest configures ActorVip. They sit with the ACTORVIP_* variables, which win where both name a setting.
/// Names for features ActorVip does not have are ignored with one warning line each. docs/KUBE-VIP.md has the table.
/// </summary>
public static class KubeVipEnvironment
{
    /// <summary>Names that set one ActorVip setting as they are.</summary>
    public static readonly IReadOnlyDictionary<string, string> Direct = new Dictionary<string, string>
    {
        ["vip_interface"] = "actorvip.interface",
        ["lb_enable"] = "actorvip.lb.enabled",
        ["lb_port"] = "actorvip.lb.port",
        // kube-vip adds each control-plane node as a backend on `port`, the API server's port.
        ["port"] = "actorvip.lb.backend-port",
        ["lb_fwdmethod"] = "actorvip.lb.fwdmethod",
        ["prometheus_server"] = "actorvip.metrics-address",
    };

    /// <summary>Names read with a conversion: the VIP with its prefix, the ARP rate in ms, the ARP switch.</summary>
    public static readonly IReadOnlyList<string> Converted = ["address", "vip_address", "vip_subnet", "vip_cidr", "vip_arpRate", "vip_arp"];

    private const string Lease = "ActorVip elects each VIP's owner through its own quorum lease among the configured nodes " +
        "(actorvip.lease.*), not a Kubernetes Lease";
    private const string Services = "ActorVip does not watch the Kubernetes API, so Services of type LoadBalancer are not served";
    private const string Bgp = "BGP is not supported; ActorVip announces its VIPs with gratuitous ARP and unsolicited neighbour advertisements";
    private const string RoutingTable = "routing-table mode is not supported; the VIP goes on the interface (actorvip.interface)";
    private const string Kubernetes = "ActorVip does not talk to the Kubernetes API";

    /// <summary>kube-vip names that do not apply, with the reason shown in the warning.</summary>
    public static readonly IReadOnlyDictionary<string, string> Ignored = new Dictionary<string, string>
    {
        ["vip_leaderelection"] = Lease,
        ["vip_leasename"] = Lease,
        ["vip_leaseduration"] = Lease,
        ["vip_renewdeadline"] = Lease,
        ["vip_retryperiod"] = Lease,
        ["vip_leaseannotations"] = Lease,
        ["vip_startleader"] = Lease,
        ["vip_singlenode"] = "a single node is actorvip.nodes = 1",
        ["cp_enable"] = "ActorVip always keeps the VIPs it is configured with; there is no separate control-plane mode to switch on",
        ["cp_namespace"] = Lease,
        ["cp_detect"] = "give the backends in actorvip.lb.backends, or let the cluster's vip members be the backends",
        ["svc_enable"] = Services,
        ["svc_namespace"] = Services,
        ["svc_election"] = Services,
        ["svc_leasename"] = Services,
        ["lb_class_only"] = Services,
        ["lb_class_name"] = Services,
        ["lb_class_legacy_handling"] = Services,
        ["enable_service_security"] = Services,
        ["disable_service_updates"] = Services,
        ["enable_endpoints"] = Services,
        ["vip_servicesinterface"] = Services,
        ["bgp_enable"] = Bgp,
        ["bgp_routerid"] = Bgp,
        ["bgp_routerinterface"] = Bgp,
        ["bgp_as"] = Bgp,
        ["bgp_peeraddress"] = Bgp,
        ["bgp_peers"] = Bgp,
        ["bgp_peeras"] = Bgp,
        ["bgp_peerpass"] = Bgp,
        ["bgp_multihop"] = Bgp,
        ["bgp_sourceif"] = Bgp,
        ["bgp_sourceip"] = Bgp,
        ["bgp_hold_time"] = Bgp,
        ["bgp_keepalive_interval"] = Bgp,
        ["zebra_enable"] = Bgp,
        ["mpbgp_nexthop"] = Bgp,
        ["vip_routingtable"] = RoutingTable,
        ["vip_routingtableid"] = RoutingTable,
        ["vip_routingtabletype"] = RoutingTable,
        ["vip_routingprotocol"] = RoutingTable,
        ["vip_cleanroutingtable"] = RoutingTable,
        ["vip_wireguard"] = "WireGuard is not supported",
        ["vip_ddns"] = "a VIP is an IP address here, not a DNS name to resolve",
        ["dns_mode"] = "a VIP is an IP address here, not a DNS name to resolve",
        ["vip_interfaceloglobal"] = "VIPs on lo are not supported; the VIP goes on actorvip.interface",
        ["vip_nodename"] = "a node is known by actorvip.node-address",
        ["vip_loglevel"] = "log levels are set in the akka section of the config file (akka.loglevel)",
        ["enable_node_labeling"] = Kubernetes,
        ["k8s_config_file"] = Kubernetes,
        ["kubernetes_addr"] = Kubernetes,
        ["annotation"] = Kubernetes,
        ["egress_podcidr"] = Services,
        ["egress_servicecidr"] = Services,
        ["egress_withnftables"] = Services,
        ["egress_clean"] = Services,
        ["iptables_backend"] = "ActorVip programs nftables over netlink and needs no iptables",
        ["backend_health_check_interval"] = "backend health checks are configured under actorvip.lb",
        ["health_check_port"] = "backend health checks are configured under actorvip.lb",
        ["mirror_dest_interface"] = "traffic mirroring is not supported",
        ["enable_upnp"] = "UPnP is not supported",
        ["config_file"] = "give the file with --config",
    };

    /// <summary>Appends the overrides that the kube-vip names set in <paramref name="environment"/>.</summary>
    public static void AddOverrides(IDictionary environment, HoconOverrides overrides)
    {
        foreach (var (name, path) in Direct)
            if (Get(environment, name) is { } value) overrides.Set(path, value);

        if (Addresses(environment) is { } addresses) overrides.SetList("actorvip.addresses", addresses);

        // Only false does something (a warning); anything else but a boolean is a typo that would pass unnoticed.
        if (Get(environment, "vip_arp") is { } arp && arp.ToLowerInvariant() is not ("true" or "false" or "on" or "off" or "yes" or "no" or "1" or "0"))
            throw new ConfigException($"vip_arp: '{arp}' is not true or false (ActorVip always announces its VIPs; remove vip_arp or set it to true)");

        if (Get(environment, "vip_arpRate") is { } rate)
        {
            if (!int.TryParse(rate, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms < 1)
                throw new ConfigException($"vip_arpRate: '{rate}' is not a whole number of milliseconds (expected e.g. 3000)");
            overrides.Set("actorvip.announce.refresh-interval", $"{ms}ms");
        }
    }

    /// <summary>One line per kube-vip name that is set but does nothing here.</summary>
    public static IReadOnlyList<string> Warnings(IDictionary environment)
    {
        var warnings = new List<string>();
        foreach (var (name, reason) in Ignored.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (Get(environment, name) is not null)
                warnings.Add($"actorvip: warning: kube-vip setting {name} is ignored: {reason}");
        }
        if (Get(environment, "vip_arp") is { } arp && arp.Trim().ToLowerInvariant() is "false" or "off" or "no" or "0")
            warnings.Add("actorvip: warning: kube-vip setting vip_arp=false is ignored: ActorVip always announces its VIPs with gratuitous ARP and " +
                "unsolicited neighbour advertisements");
        if (Get(environment, "vip_subnet") is not null && Get(environment, "vip_cidr") is not null)
            warnings.Add("actorvip: warning: kube-vip settings vip_subnet and vip_cidr are both set; vip_subnet is used");
        if ((Get(environment, "vip_subnet") ?? Get(environment, "vip_cidr")) is not null && AddressText(environment) is null)
            warnings.Add("actorvip: warning: kube-vip setting vip_subnet is ignored: it gives the prefix of the kube-vip address, which is not set");
        return warnings;
    }

    /// <summary>address (or the older vip_address), comma-separated for dual stack, each with its vip_subnet prefix.</summary>
    private static List<string>? Addresses(IDictionary environment)
    {
        if (AddressText(environment) is not { } text) return null;
        var addresses = Split(text);
        var subnetText = Get(environment, "vip_subnet") ?? Get(environment, "vip_cidr");
        var subnets = subnetText is null ? [] : Split(subnetText);
        if (subnets.Count > 1 && subnets.Count != addresses.Count)
            throw new ConfigException($"vip_subnet: '{string.Join(',', subnets)}' gives {subnets.Count} prefixes for {addresses.Count} addresses (expected " +
                "one prefix, or one per address in the same order)");
        for (var i = 0; i < addresses.Count && subnets.Count > 0; i++)
        {
            if (addresses[i].Contains('/')) continue;
            addresses[i] = $"{addresses[i]}/{subnets[subnets.Count == 1 ? 0 : i]}";
        }
        return addresses;
    }

    private static string? AddressText(IDictionary environment) => Get(environment, "address") ?? Get(environment, "vip_address");

    private static List<string> Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string? Get(IDictionary environment, string name) =>
        environment[name] is string value && value.Trim().Length > 0 ? value.Trim() : null;
}
