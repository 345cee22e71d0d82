namespace ActorVip.Node.Cleanup;

/// <summary>One kind of kernel state a stopped or killed node may have left behind, and its removal.</summary>
public interface ICleanupStep
{
    /// <summary>Removes what is there and returns one line per thing removed; nothing there is no error.</summary>
    /// <exception cref="Linux.Netlink.NetlinkException">The kernel refused (e.g. no CAP_NET_ADMIN).</exception>
    IReadOnlyList<string> Run();
}
