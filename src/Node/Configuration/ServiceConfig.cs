using System.Net;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.Configuration;

/// <summary>
/// One load-balanced service of a VIP (an element of <c>services</c> in <c>actorvip.vips</c>, or the node-wide
/// <c>actorvip.lb</c> as the default service): what IPVS matches (protocol and port, or a firewall mark), how it
/// forwards and schedules, where it sends (static and member backends) and how those are checked. Validated by
/// <see cref="SettingsReader"/>; pure data.
/// </summary>
/// <param name="Port">The VIP port; 0 for a firewall-mark service.</param>
/// <param name="FirewallMark">Non-zero for a firewall-mark service (the packet's mark selects it, not its port).</param>
/// <param name="BackendPort">The backends' port; 0 only for a firewall-mark service, where the packet keeps its port.</param>
/// <param name="Backends">Static backends, each with its port (the backend port when the setting gave none).</param>
/// <param name="Persistence">Seconds a client sticks to its backend; 0 is off.</param>
/// <param name="PersistenceNetmask">Clients within this prefix share a backend; null for the whole address.</param>
/// <param name="OnePacket">UDP only: every datagram is scheduled on its own (IPVS one-packet scheduling).</param>
public sealed record ServiceConfig(
    IpvsProtocol Protocol,
    int Port,
    uint FirewallMark,
    int BackendPort,
    ForwardingMethod Method,
    string Scheduler,
    IReadOnlyList<Endpoint> Backends,
    bool MemberBackends,
    HealthSettings Health,
    SchedulerFlags SchedulerFlags = SchedulerFlags.None,
    uint Persistence = 0,
    byte? PersistenceNetmask = null,
    bool OnePacket = false)
{
    public bool IsFirewallMark => FirewallMark != 0;

    /// <summary>How logs, status and messages name the service within its VIP: "tcp 6443", "udp 53", "fwmark 7".</summary>
    public string Name => IsFirewallMark ? $"fwmark {FirewallMark}" : $"{ProtocolName(Protocol)} {Port}";

    /// <summary>The kernel's key of this service on <paramref name="vip"/>; a firewall-mark service is keyed by mark and family.</summary>
    public IpvsServiceKey KeyFor(IPAddress vip) => IsFirewallMark
        ? IpvsServiceKey.ForFirewallMark(FirewallMark, vip.AddressFamily)
        : IpvsServiceKey.Of(Protocol, vip, (ushort)Port);

    /// <summary>The editable settings of the kernel service.</summary>
    public IpvsServiceSettings IpvsSettings => new(Scheduler, Persistence > 0, Persistence, PersistenceNetmask, OnePacket, SchedulerFlags);

    /// <summary>The node-wide <c>actorvip.lb</c> as a service: TCP on lb.port, the default service of a VIP that declares none.</summary>
    public static ServiceConfig FromLoadBalancer(LoadBalancerSettings lb) =>
        new(IpvsProtocol.Tcp, lb.Port, 0, lb.BackendPort, lb.Method, lb.Scheduler, lb.Backends, lb.MemberBackends, lb.HealthCheck);

    public static string ProtocolName(IpvsProtocol protocol) => protocol switch
    {
        IpvsProtocol.Tcp => "tcp",
        IpvsProtocol.Udp => "udp",
        IpvsProtocol.Sctp => "sctp",
        _ => protocol.ToString().ToLowerInvariant(),
    };

    public bool Equals(ServiceConfig? other) =>
        other is not null && Protocol == other.Protocol && Port == other.Port && FirewallMark == other.FirewallMark &&
        BackendPort == other.BackendPort && Method == other.Method && Scheduler == other.Scheduler && Backends.SequenceEqual(other.Backends) &&
        MemberBackends == other.MemberBackends && Health == other.Health && SchedulerFlags == other.SchedulerFlags &&
        Persistence == other.Persistence && PersistenceNetmask == other.PersistenceNetmask && OnePacket == other.OnePacket;

    public override int GetHashCode() => HashCode.Combine(Protocol, Port, FirewallMark, BackendPort, Method, Scheduler, Backends.Count);

    public override string ToString() => Name;
}
