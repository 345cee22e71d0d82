using System.Net;
using ActorVip.Node.Configuration;
using Akka.Configuration.Hocon;

namespace ActorVip.Node.Cli;

/// <summary>
/// What a reload (SIGHUP, `systemctl reload`) applies (issue 14 §5), decided from the running and the new configuration alone: the
/// VIP list (<c>actorvip.vips</c>, <c>actorvip.addresses</c>) and each VIP's own settings. Every other setting that changed is named
/// as needing a restart, and not applied. A VIP change this host cannot make (a VIP on an interface the host does not have, or that is
/// an address of the host; a service with a scheduler the kernel lacks; the first load-balanced service on a kernel without IPVS) is
/// not applied either, and nor is the rest of the VIP list: a reload applies the whole new list or none of it. Everything else of a VIP
/// is applied: its services (the VIP's holder programs them; a node that started without any opens IPVS for them, ReloadHost.Balance),
/// its health checks (VipHealthWatch.Retarget), and its interface, also one no VIP used before (the agent watches its link); the fence
/// follows (IFence.Reshape: the egress of every VIP interface, and the inbound rule that directroute and tunnel services change).
/// </summary>
/// <param name="Applied">The settings to run with from now on: the running ones, with the new VIP list when it is applied.</param>
public sealed record ReloadPlan(NodeSettings Applied, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed,
    IReadOnlyList<string> NeedsRestart)
{
    /// <summary>The settings a reload applies; every other key of <c>actorvip</c> that changed needs a restart.</summary>
    private static readonly string[] VipKeys = ["vips", "addresses", "health-checks", "when-none-healthy"];

    /// <summary>
    /// VIPs whose health checks (or <c>when-none-healthy</c>) alone changed, their own or the node-wide ones they take: not released,
    /// only checked from now on by their new checks (VipHealthWatch.Retarget), so editing a check does not blink the VIP.
    /// </summary>
    public IReadOnlyList<string> Rechecked { get; init; } = [];

    /// <summary>
    /// Why the VIP list was not applied although a restart would not apply it either (a VIP on an interface this host lacks, or one that
    /// is an address of this host): the line says to change the host or the file, then reload.
    /// </summary>
    public IReadOnlyList<string> HostRefuses { get; init; } = [];

    /// <summary>VIPs to release here: removed, or changed (released and placed again with their new settings).</summary>
    public IReadOnlyList<string> Dropped => Removed.Concat(Changed).ToList();

    /// <summary>Whether the VIP list changes (the agent, the deputy and the allocator are told).</summary>
    public bool ChangesVips => Added.Count + Removed.Count + Changed.Count + Rechecked.Count > 0;

    /// <param name="runningConfig">The configuration the node started with: every setting but the VIPs is compared with it.</param>
    /// <param name="vipsConfig">The configuration the running VIPs were last read from (a reload's); by default <paramref name="runningConfig"/>.</param>
    /// <param name="host">What the host says of the added and changed VIPs (null: nothing against them).</param>
    public static ReloadPlan Of(NodeSettings running, Akka.Configuration.Config runningConfig, NodeSettings next, Akka.Configuration.Config nextConfig,
        Akka.Configuration.Config? vipsConfig = null, ReloadHost? host = null)
    {
        var restart = Differences(Section(runningConfig), Section(nextConfig), "").Where(k => !VipKeys.Contains(k)).ToList();
        var was = VipTexts(vipsConfig ?? runningConfig);
        var now = VipTexts(nextConfig);
        var before = running.Vips.ToDictionary(v => v.Address.ToString());
        var after = next.Vips.ToDictionary(v => v.Address.ToString());
        var added = after.Keys.Where(k => !before.ContainsKey(k)).ToList();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToList();
        var rechecked = after.Keys.Where(k => before.TryGetValue(k, out var b) && OnlyHealthDiffers(b, after[k])).ToList();
        // Sets beside the lists (which keep the file's order for the line): a reload of 1,000 VIPs looks each up once.
        var recheckedSet = rechecked.ToHashSet();
        var changed = after.Keys.Where(k => before.TryGetValue(k, out var b) && !recheckedSet.Contains(k) &&
            (was.GetValueOrDefault(k) != now.GetValueOrDefault(k) || !b.Equals(after[k]))).ToList();
        var changedSet = changed.ToHashSet();
        var wanted = added.Concat(changed).Select(k => after[k]).ToList();
        // The host's objections first: a restart would not start either, so the line says what to do instead.
        var node = new RunningNode(running);
        var refused = host is null ? [] : wanted.Select(v => Refusal(node, v, host)).OfType<string>().ToList();
        if (refused.Count > 0)
            return new ReloadPlan(running, [], [], [], restart) { HostRefuses = [$"vips ({string.Join("; ", refused)})"] };
        // Last, as it opens IPVS: a node that started without load-balanced services gets them only if its kernel has IPVS.
        if (!node.Balances && host?.Balance is { } balance && wanted.FirstOrDefault(v => running.ServicesOf(v).Count > 0) is { } first &&
            balance(next) is { } cannot)
            return new ReloadPlan(running, [], [], [], restart)
            {
                HostRefuses = [$"vips ({first.Address} has load-balanced services, and this node started without any: {cannot})"],
            };
        // The VIPs that did not change keep their running configuration: nothing about them is touched.
        var vips = next.Vips.Select(v => before.TryGetValue(v.Address.ToString(), out var kept) && !changedSet.Contains(v.Address.ToString()) &&
            !recheckedSet.Contains(v.Address.ToString()) ? kept : v).ToList();
        return new ReloadPlan(running with { Vips = vips }, added, removed, changed, restart) { Rechecked = rechecked };
    }

    /// <summary>Whether the two differ in their health checks or <c>when-none-healthy</c> and in nothing else.</summary>
    private static bool OnlyHealthDiffers(VipConfig before, VipConfig after) =>
        !before.Equals(after) && (before with { HealthChecks = after.HealthChecks, ReleaseWhenNoneHealthy = after.ReleaseWhenNoneHealthy }).Equals(after);

    /// <summary>
    /// Why this added or changed VIP cannot be applied until the host (or the file) changes, as at start, where the same stops the node:
    /// it is on an interface that no running VIP is on and this host does not have (exit 1 at start), or it is an address of this host
    /// (exit 2 at start: holding it would deprecate the host's address, releasing it would remove it), or a service of it uses a
    /// scheduler no service used at start and the kernel lacks (exit 1 at start); null when it can.
    /// </summary>
    private static string? Refusal(RunningNode node, VipConfig vip, ReloadHost host)
    {
        var running = node.Settings;
        // The running node's interface for a VIP without its own (the node's interface is not reloaded): the one the agent will use.
        var name = running.InterfaceOf(vip);
        if (!node.Interfaces.Contains(name) && !host.HasInterface(name)) return $"{vip.Address} is on interface {name}, which this host does not have";
        if (host.OwnAddress(vip.Vip) is { } own) return own;
        if (host.HasScheduler is not { } has) return null;
        // The start's look at the kernel's modules, for a scheduler it did not look for (one it did is known to be there).
        return running.ServicesOf(vip).FirstOrDefault(s => !node.Schedulers.Contains(s.Scheduler) && !has(s.Scheduler)) is { } lacking
            ? $"{vip.Address} {lacking.Name} uses scheduler {lacking.Scheduler}: this kernel has no module ip_vs_{lacking.Scheduler}"
            : null;
    }

    /// <summary>
    /// What the checks of each added or changed VIP ask of the running node, worked out once per reload (each is a walk over every
    /// VIP, and a reload may add 1,000).
    /// </summary>
    private sealed class RunningNode(NodeSettings settings)
    {
        public NodeSettings Settings { get; } = settings;
        public HashSet<string> Interfaces { get; } = settings.VipInterfaces.ToHashSet(StringComparer.Ordinal);
        public bool Balances { get; } = settings.Balances;
        /// <summary>The schedulers its services used at start, which the start found in the kernel.</summary>
        public HashSet<string> Schedulers { get; } = settings.Services.Select(p => p.Service.Scheduler).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The one line a reload logs.</summary>
    public string Describe()
    {
        if (!ChangesVips && NeedsRestart.Count == 0 && HostRefuses.Count == 0) return "actorvip: reload: the configuration is unchanged";
        var applied = ChangesVips
            ? $"applied: {Count(Added.Count, "added")}, {Removed.Count} removed, {Changed.Count} changed" +
              (Changed.Count > 0 ? " (a changed VIP held here is released and placed again: it may blink)" : "") +
              (Rechecked.Count > 0 ? $", {Rechecked.Count} with new health checks (kept where they are unless the checks move them)" : "")
            : "applied: nothing";
        if (HostRefuses.Count > 0)
            applied += $"; not applied, refused by this host: {string.Join(", ", HostRefuses)} (change the host or the file, then reload)";
        return NeedsRestart.Count == 0
            ? $"actorvip: reload: {applied}"
            : $"actorvip: reload: {applied}; needs a restart, not applied: {string.Join(", ", NeedsRestart)} " +
              "(systemctl restart actorvip, one master at a time)";
    }

    private static string Count(int n, string what) => $"{n} VIP{(n == 1 ? "" : "s")} {what}";

    private static HoconValue? Section(Akka.Configuration.Config config) => config.GetValue("actorvip");

    /// <summary>The keys (dotted, below <c>actorvip</c>) whose values differ; an object that differs is named by its keys that differ.</summary>
    private static IEnumerable<string> Differences(HoconValue? a, HoconValue? b, string prefix)
    {
        var left = a is not null && a.IsObject() ? a.GetObject().Items : null;
        var right = b is not null && b.IsObject() ? b.GetObject().Items : null;
        if (left is null || right is null)
        {
            if ((a?.ToString() ?? "") != (b?.ToString() ?? "")) yield return prefix.TrimEnd('.');
            yield break;
        }
        foreach (var key in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
        {
            foreach (var difference in Differences(left.GetValueOrDefault(key), right.GetValueOrDefault(key), $"{prefix}{key}."))
                yield return difference;
        }
    }

    /// <summary>Each VIP's own settings as written (its <c>vips</c> object; empty for one of <c>addresses</c>), by its address.</summary>
    private static Dictionary<string, string> VipTexts(Akka.Configuration.Config config)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.HasPath("actorvip.vips")) return texts;
        foreach (var item in config.GetValue("actorvip.vips").GetArray().Where(i => i.IsObject()))
        {
            var address = item.GetObject().Items.GetValueOrDefault("address")?.GetString()?.Trim() ?? "";
            var slash = address.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(slash < 0 ? address : address[..slash], out var ip)) texts[ip.ToString()] = item.ToString();
        }
        return texts;
    }
}

/// <summary>What a reload asks of the host about the VIPs it adds or changes, before anything is applied (ReloadPlan.Of).</summary>
/// <param name="HasInterface">Whether this host has a network interface of that name (asked of an interface no running VIP is on).</param>
/// <param name="OwnAddress">Why the VIP is an address of this host, not one ActorVip may take (VipCopies.Describe); null when it is not.</param>
/// <param name="HasScheduler">Whether the kernel may have this IPVS scheduler (false only when its module is known to be missing, as the
/// start's check says); null: not asked.</param>
/// <param name="Balance">Opens IPVS for a node that started without load-balanced services, asked once, last, when the reload brings the
/// first (and nothing else refused it), with the new settings: why it cannot (the kernel has no IPVS), or null once it is open. Null: not
/// asked.</param>
public sealed record ReloadHost(Func<string, bool> HasInterface, Func<VipAddress, string?> OwnAddress, Func<string, bool>? HasScheduler = null,
    Func<NodeSettings, string?>? Balance = null);
