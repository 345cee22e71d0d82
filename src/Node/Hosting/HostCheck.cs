using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.Linux.Nftables;
using ActorVip.Node.Linux.Rtnetlink;

namespace ActorVip.Node.Hosting;

/// <summary>One finding of `actorvip check`: what was checked, whether it is there, and what to do if not.</summary>
public sealed record CheckFinding(bool Ok, string What, string? Fix = null)
{
    public override string ToString() => Ok ? $"ok       {What}" : $"missing  {What}: {Fix}";
}

/// <summary>What this host lacks for the given configuration: capabilities, the interface, kernel features.</summary>
public static class HostCheck
{
    private const int CapNetAdmin = 12;
    private const int CapNetRaw = 13;

    public static IReadOnlyList<CheckFinding> Run(NodeSettings settings)
    {
        var findings = new List<CheckFinding>();
        var caps = EffectiveCapabilities();
        findings.Add(Capability(caps, CapNetAdmin, "CAP_NET_ADMIN"));
        findings.Add(Capability(caps, CapNetRaw, "CAP_NET_RAW"));

        // Every interface a VIP lives on (the node's and each VIP's own); without VIPs, the node's.
        var interfaces = settings.Vips.Count > 0 ? settings.VipInterfaces : settings.Interface.Length > 0 ? [settings.Interface] : [];
        if (interfaces.Count == 0) findings.Add(new CheckFinding(false, "interface", "none configured: give --interface IF"));
        foreach (var name in interfaces)
        {
            try
            {
                using var links = new RtnetlinkLinks();
                var link = links.Find(name);
                if (link is null)
                    findings.Add(new CheckFinding(false, $"interface {name}", "it does not exist on this host (ip link lists the interfaces)"));
                else if (!link.OperUp)
                    findings.Add(new CheckFinding(false, $"interface {name} up", "it is down: ip link set dev " + name + " up"));
                else
                    findings.Add(new CheckFinding(true, $"interface {name} (index {link.Index}, mac {FormatMac(link.Mac)}, mtu {link.Mtu})"));
            }
            catch (NetlinkException e)
            {
                findings.Add(new CheckFinding(false, "rtnetlink", e.Message));
            }
        }

        if (settings.Fence.Enabled) findings.Add(Nftables());
        if (settings.Balances)
        {
            findings.Add(Ipvs());
            findings.AddRange(Schedulers(settings, IpvsSchedulers.Read));
        }
        return findings;
    }

    /// <summary>One finding per scheduler the services use; a missing one names the services that use it.</summary>
    public static IReadOnlyList<CheckFinding> Schedulers(NodeSettings settings, Func<string, SchedulerPresence> find)
    {
        var findings = new List<CheckFinding>();
        foreach (var group in settings.Services.GroupBy(p => p.Service.Scheduler).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var users = string.Join(", ", group.Select(p => $"{p.Vip.Address} {p.Service.Name}").Distinct().Take(3)) + (group.Count() > 3 ? ", ..." : "");
            findings.Add(find(group.Key) switch
            {
                SchedulerPresence.Present => new CheckFinding(true, $"IPVS scheduler {group.Key} (module ip_vs_{group.Key})"),
                SchedulerPresence.Missing => new CheckFinding(false, $"IPVS scheduler {group.Key}",
                    $"this kernel has no module ip_vs_{group.Key} (used by {users}); choose a scheduler it has " +
                    "(ls /lib/modules/$(uname -r)/kernel/net/netfilter/ipvs) or install a kernel with it"),
                _ => new CheckFinding(true,
                    $"IPVS scheduler {group.Key} (cannot tell: no /lib/modules for this kernel here; the kernel loads ip_vs_{group.Key} on first use)"),
            });
        }
        return findings;
    }

    /// <summary>
    /// Before `actorvip run` touches the kernel: the first scheduler this kernel lacks, as one line, when the kernel has
    /// IPVS at all (without it, starting fails on IPVS itself); null when nothing is known to be missing.
    /// </summary>
    public static string? MissingScheduler(NodeSettings settings)
    {
        if (!settings.Balances || !Ipvs().Ok) return null;
        return Schedulers(settings, IpvsSchedulers.Read).FirstOrDefault(f => !f.Ok) is { } missing ? $"{missing.What}: {missing.Fix}" : null;
    }

    private static CheckFinding Capability(ulong caps, int bit, string name) =>
        (caps & (1UL << bit)) != 0
            ? new CheckFinding(true, name)
            : new CheckFinding(false, name, "run as root, or grant it (systemd: AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW; Kubernetes: " +
                "securityContext.capabilities.add [NET_ADMIN, NET_RAW])");

    private static CheckFinding Nftables()
    {
        try
        {
            using var socket = NetlinkSocket.Open(Nl.Netfilter);
            NftListing.Tables(socket);
            return new CheckFinding(true, "nftables (kernel fence)");
        }
        catch (NetlinkException e)
        {
            return new CheckFinding(false, "nftables (kernel fence)", $"{e.Message}; load nf_tables (modprobe nf_tables) or set actorvip.fence.enabled = off");
        }
    }

    private static CheckFinding Ipvs() =>
        File.Exists("/proc/net/ip_vs") || ModuleExists("ip_vs")
            ? new CheckFinding(true, "IPVS")
            : new CheckFinding(false, "IPVS", "this kernel has no IPVS (CONFIG_IP_VS): install a kernel with the ip_vs module, or turn load balancing off");

    private static bool ModuleExists(string name)
    {
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var dep = Path.Combine($"/lib/modules/{release}", "modules.dep");
        return File.Exists(dep) && File.ReadAllText(dep).Contains($"/{name}.ko");
    }

    private static ulong EffectiveCapabilities()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16);
        }
        return 0;
    }

    private static string FormatMac(System.Net.NetworkInformation.PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2")));
}
