using ActorVip.Node.Configuration;
using ActorVip.Node.Hosting;
using Akka.Actor;

namespace ActorVip.Lab.Simulation;

/// <summary>One simulated machine: its host (recording drivers), its fixed port, and the node process running on it, if any.</summary>
public sealed class SimulatedNode(string name, int index, Endpoint endpoint, Address address, SimulatedHost host)
{
    public string Name { get; } = name;
    public int Index { get; } = index;
    public Endpoint Endpoint { get; } = endpoint;

    /// <summary>The Akka address of this node (akka.trttl.tcp), stable across restarts on the same port.</summary>
    public Address Address { get; } = address;

    public SimulatedHost Host { get; } = host;

    /// <summary>The node process, null before the first start and after a crash or a leave.</summary>
    public NodeRuntime? Runtime { get; internal set; }

    /// <summary>Running: started and its actor system not terminated (a downed node terminates itself).</summary>
    public bool IsRunning => Runtime is { } r && !r.System.WhenTerminated.IsCompleted;

    public override string ToString() => $"{Name}({Endpoint.Port})";
}
