using System.Net.NetworkInformation;
using ActorVip.Node.Drivers;

namespace ActorVip.Lab.Simulation;

/// <summary>
/// The kernel of one simulated machine: its recording drivers write into the shared timeline. After a
/// crash the process is gone, so nothing it would still do (PostStop clean-up) reaches the "kernel":
/// its address stays recorded as present and its fence element expires on its own, as on a real host.
/// </summary>
public sealed class SimulatedHost
{
    private volatile bool _processAlive = true;

    public SimulatedHost(string node, int index, Timeline timeline)
    {
        Node = node;
        Timeline = timeline;
        Link = new InterfaceInfo("sim0", 2, new PhysicalAddress([0x02, 0x00, 0x5e, 0x00, 0x00, (byte)index]), 1500, true, true);
        Drivers = new DriverSet(new RecordingLinks(this), new RecordingAddresses(this), new RecordingAnnouncer(this), new RecordingFence(this),
            new LoadBalancerDrivers(Backends, Backends, Backends, FollowMembers: false));
    }

    /// <summary>Used only with actorvip.lb.enabled = on; a scenario fails this machine's backends through it.</summary>
    public SimulatedBackends Backends { get; } = new();

    public string Node { get; }
    public Timeline Timeline { get; }
    public InterfaceInfo Link { get; }
    public DriverSet Drivers { get; }

    /// <summary>False from the crash until the next process starts on this host.</summary>
    public bool ProcessAlive => _processAlive;

    /// <summary>The process dies: from now on its drivers' calls do not reach the kernel.</summary>
    public void KillProcess() => _processAlive = false;

    /// <summary>A new process starts on this host.</summary>
    public void StartProcess() => _processAlive = true;

    internal void Record(string? vip, TimelineKind kind, string detail = "", TimeSpan? lasting = null)
    {
        if (_processAlive) Timeline.Record(Node, vip, kind, detail, lasting);
    }
}
