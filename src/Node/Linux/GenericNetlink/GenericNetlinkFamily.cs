namespace ActorVip.Node.Linux.GenericNetlink;

/// <summary>A generic netlink family as the kernel's controller reported it: its message type and version.</summary>
public sealed record GenericNetlinkFamily(string Name, ushort Id, uint Version);
