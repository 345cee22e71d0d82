using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;

namespace ActorVip.Lab.Simulation;

internal sealed class RecordingAnnouncer(SimulatedHost host) : IAnnouncer
{
    public void Announce(InterfaceInfo link, VipAddress vip) =>
        host.Record(vip.Address.ToString(), TimelineKind.Announced, $"mac={link.Mac}");
}
