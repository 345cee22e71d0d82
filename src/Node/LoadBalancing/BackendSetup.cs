using System.Net.Sockets;
using ActorVip.Node.Configuration;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// What a backend needs for a forwarding mode, as shell commands (`actorvip check --backend-setup`): directroute
/// and tunnel deliver packets still addressed to the VIP, so each backend holds the VIP without answering ARP for it.
/// </summary>
public static class BackendSetup
{
    /// <summary>
    /// For the configuration: with no VIP declaring services, what actorvip.lb's method needs for every VIP (as before
    /// load balancing is switched on); otherwise, per forwarding method, what its VIPs need.
    /// </summary>
    public static IReadOnlyList<string> Commands(NodeSettings settings)
    {
        if (!settings.Vips.Any(v => v.Services.Count > 0)) return Commands(settings.LoadBalancer, settings.Vips.Select(v => v.Vip).ToList());
        var lines = new List<string>();
        foreach (var method in settings.Services.GroupBy(p => p.Service.Method).OrderBy(g => g.Key))
        {
            var vips = method.Select(p => p.Vip.Vip).Distinct().ToList();
            var services = string.Join(", ", method.Select(p => $"{p.Vip.Address} {p.Service.Name}"));
            lines.AddRange(Commands(method.Key, vips, services, services));
        }
        return lines;
    }

    public static IReadOnlyList<string> Commands(LoadBalancerSettings lb, IReadOnlyList<VipAddress> vips) =>
        Commands(lb.Method, vips, $"port {lb.Port}", $"port {lb.BackendPort} = VIP port {lb.Port}");

    /// <param name="ports">Where local mode's server listens.</param>
    /// <param name="portNote">What directroute and tunnel backends receive.</param>
    private static IReadOnlyList<string> Commands(ForwardingMethod method, IReadOnlyList<VipAddress> vips, string ports, string portNote)
    {
        var lines = new List<string>();
        switch (method)
        {
            case ForwardingMethod.Local:
                lines.Add($"# local: no backends; the VIP owner itself answers, so a server listens on {ports} on every node");
                return lines;
            case ForwardingMethod.Masquerade:
                lines.Add("# masquerade: backends need nothing; the owner rewrites the destination and masquerades the source (one-arm works too)");
                return lines;
            case ForwardingMethod.Bypass:
                lines.Add("# bypass: IPVS sends each packet on to its own destination, the VIP, which is local on the owner: the kernel drops " +
                    "it (docs/LOAD-BALANCING.md)");
                return lines;
        }
        var tunnel = method == ForwardingMethod.Tunnel;
        var v4 = vips.Where(v => v.Address.AddressFamily != AddressFamily.InterNetworkV6).ToList();
        var v6 = vips.Where(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6).ToList();
        lines.Add($"# {method.Name()}: run on every backend ({portNote}); it receives packets addressed to the VIP");
        if (v4.Count > 0)
        {
            if (tunnel)
            {
                lines.Add("modprobe ipip");
                lines.Add("ip link show tunl0 >/dev/null 2>&1 || ip link add tunl0 type ipip");
                lines.Add("ip link set tunl0 up");
            }
            foreach (var vip in v4) lines.Add($"ip addr add {vip.Address}/32 dev {(tunnel ? "tunl0" : "lo")}");
            lines.Add("# answer ARP only for addresses of the receiving interface, and never announce the VIP as a source");
            lines.Add("sysctl -w net.ipv4.conf.all.arp_ignore=1");
            lines.Add("sysctl -w net.ipv4.conf.all.arp_announce=2");
            if (tunnel)
            {
                lines.Add("# decapsulated packets arrive on tunl0 from a client routed elsewhere: strict reverse-path filtering would drop them");
                lines.Add("sysctl -w net.ipv4.conf.tunl0.rp_filter=0");
                lines.Add("sysctl -w net.ipv4.conf.all.rp_filter=0");
            }
        }
        if (v6.Count > 0)
        {
            // IPVS tunnels IPv6 in IPv6; ip6_tunnel's fallback device ip6tnl0 takes it from any remote.
            if (tunnel)
            {
                lines.Add("modprobe ip6_tunnel");
                lines.Add("ip link set ip6tnl0 up");
            }
            lines.Add("# IPv6: neighbour discovery answers only for addresses of the receiving interface, so nothing to suppress");
            foreach (var vip in v6) lines.Add($"ip -6 addr add {vip.Address}/128 dev {(tunnel ? "ip6tnl0" : "lo")}");
        }
        return lines;
    }
}
