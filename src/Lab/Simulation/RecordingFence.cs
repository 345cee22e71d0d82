using System.Net;
using ActorVip.Node.Drivers;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// Records the kernel fence: an owned element lets the VIP through until own time + remaining, exactly as
/// an nftables set element with that timeout; nothing extends it but the next Own.
/// </summary>
internal sealed class RecordingFence(SimulatedHost host) : IFence
{
    public void Install(IReadOnlyCollection<IPAddress> vips) =>
        host.Record(null, TimelineKind.FenceReset, "installed, guards " + string.Join(",", vips));

    public void Own(IPAddress vip, TimeSpan remaining) =>
        host.Record(vip.ToString(), TimelineKind.FenceOwned, $"remaining={remaining.TotalMilliseconds:0}ms", remaining);

    public void Own(IReadOnlyList<(IPAddress Vip, TimeSpan Remaining)> vips)
    {
        foreach (var (vip, remaining) in vips)
        {
            if (remaining > TimeSpan.Zero) Own(vip, remaining);
            else Disown(vip);
        }
    }

    public void Disown(IPAddress vip) => host.Record(vip.ToString(), TimelineKind.FenceDisowned);

    public void Disown(IReadOnlyList<IPAddress> vips)
    {
        foreach (var vip in vips) Disown(vip);
    }

    public void Remove() => host.Record(null, TimelineKind.FenceReset, "table removed");

    public void Dispose()
    {
    }
}
