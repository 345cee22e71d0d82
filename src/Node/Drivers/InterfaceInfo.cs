using System.Net.NetworkInformation;

namespace ActorVip.Node.Drivers;

/// <summary>
/// What the kernel says about one network interface. <paramref name="AdminUp"/> is IFF_UP (`ip link set up`),
/// <paramref name="LowerUp"/> is IFF_LOWER_UP (carrier as the driver reports it); both default to true for interfaces
/// built by hand in simulations.
/// </summary>
public sealed record InterfaceInfo(string Name, int Index, PhysicalAddress Mac, int Mtu, bool OperUp, bool Carrier, bool AdminUp = true, bool LowerUp = true)
{
    /// <summary>The interface can carry the VIP: administratively up and with carrier.</summary>
    public bool CanServe => AdminUp && LowerUp;
}
