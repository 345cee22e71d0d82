using System.Net;

namespace ActorVip.Node.Linux.Rtnetlink;

/// <summary>One address as the kernel lists it (RTM_GETADDR); lifetimes in seconds, null meaning forever.</summary>
public sealed record InterfaceAddress(
    int InterfaceIndex,
    IPAddress Address,
    int PrefixLength,
    uint Flags,
    uint? PreferredSeconds,
    uint? ValidSeconds,
    string? Label)
{
    public bool IsNoDad => (Flags & Rtm.IfaFNoDad) != 0;
    public bool IsDeprecated => (Flags & Rtm.IfaFDeprecated) != 0;
    public bool IsNoPrefixRoute => (Flags & Rtm.IfaFNoPrefixRoute) != 0;
    public bool IsPermanent => (Flags & Rtm.IfaFPermanent) != 0;
    public bool IsTentative => (Flags & Rtm.IfaFTentative) != 0;

    public override string ToString() => $"{Address}/{PrefixLength} on {InterfaceIndex} flags 0x{Flags:x} preferred " +
        $"{PreferredSeconds?.ToString() ?? "forever"} valid {ValidSeconds?.ToString() ?? "forever"}";
}
