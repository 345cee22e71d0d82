using ActorVip.Node.Configuration;
using ActorVip.Node.Linux.Netlink;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Node.Cleanup;

/// <summary>
/// Removes what a node of this configuration may have left in the kernel when it was killed: its VIPs,
/// its IPVS services, its NAT table and its fence. Idempotent; used by `actorvip cleanup` (systemd's ExecStopPost).
/// </summary>
public static class NodeCleanup
{
    /// <summary>The masquerade NAT table of the NatActor (docs/DESIGN.md, "Masquerade without iptables"); removed whenever it is present and marked
    /// as ActorVip's.</summary>
    public const string NatTable = KernelFenceNames.NatTable;

    /// <summary>The steps in the order that keeps a VIP silent throughout: the address goes first, the fence last.</summary>
    public static IReadOnlyList<ICleanupStep> StepsFor(NodeSettings settings) =>
    [
        new LeftoverAddresses(settings.Vips.Count > 0 ? settings.VipInterfaces : [settings.Interface], settings.Vips.Select(v => v.Vip).ToList()),
        new LeftoverIpvsServices(settings.Vips.Select(v => v.Vip).ToList(), StaleServices.MarksOf(settings)),
        new LeftoverTables([NatTable]),
        new LeftoverTables([settings.Fence.Table]),
    ];

    /// <summary>Runs every step even when one fails; the lines say what was removed, the errors what could not be.</summary>
    public static (IReadOnlyList<string> Removed, IReadOnlyList<string> Errors) Run(IEnumerable<ICleanupStep> steps)
    {
        var removed = new List<string>();
        var errors = new List<string>();
        foreach (var step in steps)
        {
            try
            {
                removed.AddRange(step.Run());
            }
            catch (LeftAloneException e)
            {
                removed.AddRange(e.Removed);
                errors.Add(e.Message);
            }
            catch (Exception e) when (e is NetlinkException or TimeoutException or Linux.Ipvs.IpvsException or IOException)
            {
                errors.Add(e.Message);
            }
        }
        return (removed, errors);
    }
}
