using ActorVip.Node.Ipvs;

namespace ActorVip.Node.Drivers;

/// <summary>The kernel's IPVS table as the IpvsActor needs it: read it once, then apply changes.</summary>
public interface IIpvsDriver
{
    /// <summary>Every service with its destinations (about one netlink round trip per service).</summary>
    IpvsTable List();

    /// <summary>Carries out the changes in order; throws on the first the kernel refuses.</summary>
    void Execute(IReadOnlyList<IpvsOperation> operations);
}
