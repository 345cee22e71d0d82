using System.Net;

namespace ActorVip.Node.Drivers;

/// <summary>
/// What masquerade needs beyond IPVS (docs/DESIGN.md, "Masquerade without iptables"): forwarding and IPVS conntrack switched on, and a
/// source-NAT rule per VIP so that backends answer through the director even on one subnet (one-arm).
/// </summary>
public interface ISourceNat
{
    /// <summary>Masquerades connections whose original destination is <paramref name="vip"/>.</summary>
    void Masquerade(IPAddress vip);

    /// <summary>Stops masquerading for the VIP; the last one removes the table and restores the sysctls.</summary>
    void Unmasquerade(IPAddress vip);

    /// <summary>Removes the NAT table whatever it holds (also one left by a killed run) and restores the sysctls changed.</summary>
    void Remove();
}
