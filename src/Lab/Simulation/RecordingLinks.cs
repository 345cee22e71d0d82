using ActorVip.Node.Drivers;

namespace ActorVip.Lab.Simulation;

/// <summary>The simulated host has exactly one interface, the one every VIP goes on.</summary>
internal sealed class RecordingLinks(SimulatedHost host) : ILinkDriver
{
    public InterfaceInfo? Find(string name) => name == host.Link.Name ? host.Link : null;
}
