using System.Net.NetworkInformation;

namespace ActorVip.Node.Drivers;

/// <summary>What the kernel says about one network interface.</summary>
public sealed record InterfaceInfo(string Name, int Index, PhysicalAddress Mac, int Mtu, bool OperUp, bool Carrier);
