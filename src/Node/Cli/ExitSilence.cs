using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.Cli;

/// <summary>
/// What `actorvip run` does to the kernel on every way out once its fence is installed: a graceful stop, a start that
/// failed, and an actor system that stopped under it (downed, or shut down by the cluster).
/// </summary>
public static class ExitSilence
{
    /// <summary>
    /// Silences every VIP again, whatever its VipActor managed: the fence element first, then the address. The fence
    /// tables stay installed with nothing owned: should an address removal fail (or anything add the address again), the
    /// fence still keeps this node from answering for the VIP. The next start replaces the tables in one transaction;
    /// `actorvip cleanup` (systemd's ExecStopPost, the package's removal) removes them. Returns a line for each step that
    /// failed.
    /// </summary>
    public static IReadOnlyList<string> Silence(DriverSet drivers, IReadOnlyList<InterfaceInfo> links, NodeSettings settings)
    {
        var errors = new List<string>();
        foreach (var vip in settings.Vips)
        {
            try
            {
                drivers.Fence?.Disown(vip.Address);
            }
            catch (Exception e)
            {
                errors.Add($"actorvip: closing the fence for {vip.Address} failed: {e.Message}");
            }
            // Each VIP from its own interface (the node's, or the one its vips object names).
            if (links.FirstOrDefault(l => l.Name == settings.InterfaceOf(vip)) is not { } link) continue;
            try
            {
                drivers.Addresses.Remove(link, vip.Vip);
            }
            catch (Exception e)
            {
                errors.Add($"actorvip: removing {vip.Vip} from {link.Name} failed: {e.Message}; the fence stays installed and keeps it silent");
            }
        }
        return errors;
    }
}
