using ActorVip.Ownership;

namespace ActorVip.Node.Configuration;

/// <summary>Everything a node is configured with, validated; read once at start. MetricsAddress is HOST:PORT, or ":PORT" for every address.</summary>
public sealed record NodeSettings(
    string Interface,
    IReadOnlyList<VipConfig> Vips,
    Endpoint NodeAddress,
    IReadOnlyList<Endpoint> Seeds,
    string SystemName,
    AnnounceSettings Announce,
    AddressSettings Address,
    LeaseSettings Lease,
    FenceSettings Fence,
    LoadBalancerSettings LoadBalancer,
    string MetricsAddress = "127.0.0.1:2112",
    TlsSettings? Tls = null)
{
    /// <summary>actorvip.notify: the hook run on acquired, released and fault (docs/PREFERENCE.md); none by default.</summary>
    public Notify.NotifySettings Notify { get; init; } = ActorVip.Node.Notify.NotifySettings.None;

    /// <summary>The configured number of voting nodes (<c>actorvip.nodes</c>, the seeds); the lease counts its majority of them.</summary>
    public int Nodes => Lease.Voters;

    /// <summary>The transport security settings; off when none were read.</summary>
    public TlsSettings TransportSecurity => Tls ?? TlsSettings.Off;

    /// <summary>
    /// The services a VIP balances: its own, or, when it declares none, the node-wide <c>actorvip.lb</c> as its one service
    /// while load balancing is on; none otherwise.
    /// </summary>
    public IReadOnlyList<ServiceConfig> ServicesOf(VipConfig vip) =>
        vip.Services.Count > 0 ? vip.Services : LoadBalancer.Enabled ? [ServiceConfig.FromLoadBalancer(LoadBalancer)] : [];

    /// <summary>Whether any VIP balances a service: IPVS (and the NAT) is needed on this node.</summary>
    public bool Balances => Vips.Any(v => ServicesOf(v).Count > 0);

    /// <summary>The interface a VIP lives on: its own (<c>interface</c> in its vips object), else the node's.</summary>
    public string InterfaceOf(VipConfig vip) => vip.Interface ?? Interface;

    /// <summary>The interface of the VIP whose address text is <paramref name="vip"/> (as messages name it); the node's for one not configured.</summary>
    public string InterfaceOf(string vip) => VipNamed(vip) is { } config ? InterfaceOf(config) : Interface;

    /// <summary>
    /// The VIP whose address text is <paramref name="vip"/> (as messages name it: an Assign, a Claim), or null when this node is
    /// not configured for it. A dictionary built once per VIP list: a failover assigns hundreds of VIPs in one burst, and a scan
    /// with a ToString per VIP was a million strings for 1,000 of them on the actor loop.
    /// </summary>
    public VipConfig? VipNamed(string vip) => ByName.GetValue(Vips, vips =>
        vips.GroupBy(v => v.Address.ToString()).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).GetValueOrDefault(vip);

    /// <summary>Per VIP list, not a field: a record's fields take part in its equality, and a copy (`with`) may carry other VIPs.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<VipConfig>, Dictionary<string, VipConfig>> ByName = new();

    /// <summary>
    /// The interfaces this node's VIPs live on, each once, in the order of the VIPs: what the node adds addresses to,
    /// announces on, fences, watches (link tracking) and cleans up.
    /// </summary>
    public IReadOnlyList<string> VipInterfaces => Vips.Select(InterfaceOf).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every service of every VIP, with its VIP.</summary>
    public IEnumerable<(VipConfig Vip, ServiceConfig Service)> Services => Vips.SelectMany(v => ServicesOf(v).Select(s => (v, s)));
}

/// <param name="MaxPerSecond">
/// The node's pace for repeated and refreshed announcements, all VIPs together (0: unpaced); a VIP's first announcement
/// is never held back (<see cref="ActorVip.Node.Actors.AnnouncePacer"/>).
/// </param>
public sealed record AnnounceSettings(TimeSpan RepeatAfter, TimeSpan RefreshInterval, int MaxPerSecond = 0);

/// <summary>ValidLifetime null means forever.</summary>
public sealed record AddressSettings(TimeSpan? ValidLifetime, TimeSpan CheckInterval)
{
    /// <summary>
    /// How old an address of a held VIP may get before the check re-adds it to refresh its lifetime: the last check at which
    /// waiting for the next would leave less than half the lifetime (2 s and 500 ms: re-added at about 1 s old, every second
    /// check, with 1 s or more to run). Re-adding every address at every check cost a batch of replaces per check-interval
    /// on a node holding 500 VIPs. Null with a lifetime of forever: an address is re-added only when it is missing.
    /// </summary>
    public TimeSpan? RefreshAfter => ValidLifetime / 2 - CheckInterval / 2;
}

public sealed record FenceSettings(bool Enabled, string Table);

public sealed record LoadBalancerSettings(
    bool Enabled,
    int Port,
    int BackendPort,
    ForwardingMethod Method,
    string Scheduler,
    IReadOnlyList<Endpoint> Backends,
    bool MemberBackends = true,
    HealthSettings? Health = null)
{
    /// <summary>The health-check settings, reference.conf's defaults when none were read.</summary>
    public HealthSettings HealthCheck => Health ?? HealthSettings.Default;
}

public enum HealthCheckKind
{
    /// <summary>A TCP connect.</summary>
    Tcp,
    /// <summary>An HTTPS GET of the path, answered with a status in the range.</summary>
    Https,
    /// <summary>A plain HTTP GET of the path, answered with a status in the range.</summary>
    Http,
    /// <summary>A datagram (the request); fails on a refusal (ICMP port unreachable), or without the expected reply when one is set.</summary>
    Udp,
    /// <summary>No check: every backend is always healthy.</summary>
    None,
    /// <summary>A VIP health check only (health-checks): an executable with arguments, exit 0 passes (ExecProbe).</summary>
    Exec,
}

/// <summary>What happens to a backend that failed its health check `fall` times in a row.</summary>
public enum HealthFailureAction
{
    WeightZero,
    Remove,
}

/// <summary>
/// actorvip.lb.health, or a service's health: how backends are checked and what a failure does. KeepVipWhenNoneHealthy
/// and MoveVipAfter are node-wide (actorvip.lb.health only).
/// </summary>
/// <param name="Port">The port checked; 0 is the backend's own port.</param>
/// <param name="StatusMin">HTTP(S): the lowest status that passes.</param>
/// <param name="StatusMax">HTTP(S): the highest status that passes.</param>
/// <param name="Request">UDP: the datagram sent, as configured (text, or hex: followed by hex digits).</param>
/// <param name="Expect">UDP: bytes the reply must contain, as configured; empty: any reply or none passes, only a refusal fails.</param>
public sealed record HealthSettings(
    HealthCheckKind Kind,
    string Path,
    bool AcceptAnyCertificate,
    TimeSpan Interval,
    TimeSpan Timeout,
    int Rise,
    int Fall,
    HealthFailureAction OnFailure,
    bool KeepVipWhenNoneHealthy,
    TimeSpan MoveVipAfter,
    int Port = 0,
    int StatusMin = 200,
    int StatusMax = 299,
    string Request = "",
    string Expect = "")
{
    public static HealthSettings Default { get; } = new(HealthCheckKind.Tcp, "/readyz", false, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 2, 2,
        HealthFailureAction.WeightZero, true, TimeSpan.FromSeconds(3));
}
