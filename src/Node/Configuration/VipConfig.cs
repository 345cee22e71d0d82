using System.Net;

namespace ActorVip.Node.Configuration;

/// <summary>
/// Everything configured for one VIP: its address and the services it balances. An element of <c>actorvip.vips</c>,
/// or an entry of <c>actorvip.addresses</c> (no services of its own). Read and validated in one place,
/// <see cref="SettingsReader"/>; per-VIP settings belong here.
/// </summary>
/// <param name="Services">The services this VIP declares; empty means the node-wide default (<see cref="NodeSettings.ServicesOf"/>).</param>
/// <param name="HealthChecks">The VIP's health checks (its own, else the node-wide <c>health-checks</c>); empty: not health-tracked.</param>
/// <param name="ReleaseWhenNoneHealthy"><c>when-none-healthy = release</c>: released, not kept, when no node passes the checks.</param>
public sealed record VipConfig(VipAddress Vip, IReadOnlyList<ServiceConfig> Services, IReadOnlyList<VipHealthCheck>? HealthChecks = null,
    bool ReleaseWhenNoneHealthy = false)
{
    /// <summary>The voters (seeds, spelt as given) this VIP prefers, first first; empty: no preference (<c>preferred-nodes</c>).</summary>
    public IReadOnlyList<Endpoint> PreferredNodes { get; init; } = [];

    /// <summary>A more preferred node takes the VIP back from a working owner (<c>preempt</c>); off: the owner keeps it.</summary>
    public bool Preempt { get; init; }

    /// <summary>How long a more preferred node must have been eligible before it takes the VIP back (<c>preempt-delay</c>).</summary>
    public TimeSpan PreemptDelay { get; init; }

    /// <summary>
    /// The interface this VIP lives on (<c>interface</c> in its vips object), so that one node may carry VIPs on two networks;
    /// null: the node's <c>actorvip.interface</c>. Read it through <see cref="NodeSettings.InterfaceOf(VipConfig)"/>.
    /// </summary>
    public string? Interface { get; init; }

    /// <summary>The VIP's health checks; empty when it is not health-tracked.</summary>
    public IReadOnlyList<VipHealthCheck> Checks => HealthChecks ?? [];

    /// <summary>Whether this node checks the VIP and reports it (VipHealthWatch): placement then follows the checks.</summary>
    public bool HealthTracked => Checks.Count > 0;

    public VipConfig(VipAddress vip)
        : this(vip, [])
    {
    }

    public IPAddress Address => Vip.Address;

    public int PrefixLength => Vip.PrefixLength;

    public bool IsIPv6 => Vip.IsIPv6;

    /// <summary>A VIP with no services of its own, as <c>actorvip.addresses</c> gives it.</summary>
    public static implicit operator VipConfig(VipAddress vip) => new(vip);

    public bool Equals(VipConfig? other) =>
        other is not null && Vip == other.Vip && Services.SequenceEqual(other.Services) && Checks.SequenceEqual(other.Checks) &&
        ReleaseWhenNoneHealthy == other.ReleaseWhenNoneHealthy && PreferredNodes.SequenceEqual(other.PreferredNodes) && Preempt == other.Preempt &&
        PreemptDelay == other.PreemptDelay && Interface == other.Interface;

    public override int GetHashCode() => HashCode.Combine(Vip, Services.Count);

    public override string ToString() => Vip.ToString();
}
