namespace ActorVip.Node.Drivers;

/// <summary>
/// The VIP interface as the kernel last reported it: <see cref="Link"/> is null while no interface has that name
/// (deleted, renamed, moved to another namespace).
/// </summary>
public sealed record LinkStatus(string Name, InterfaceInfo? Link)
{
    /// <summary>The node may hold VIPs on it: it exists, is administratively up and has carrier.</summary>
    public bool CanServe => Link is { CanServe: true };

    /// <summary>Why the node may or may not hold VIPs on it, for logs, /readyz and the allocator.</summary>
    public string Reason => Link switch
    {
        null => $"interface {Name} does not exist",
        { AdminUp: false } => $"interface {Name} is administratively down",
        { LowerUp: false } => $"interface {Name} has no carrier",
        { } l => $"interface {Name} is up (index {l.Index})",
    };

    /// <summary>The same as far as the node cares (a notification also comes for statistics, MTU, and the peer's changes).</summary>
    public bool SameAs(LinkStatus other) =>
        other.Name == Name && (Link, other.Link) switch
        {
            (null, null) => true,
            ({ } a, { } b) => a.Index == b.Index && a.Mac.Equals(b.Mac) && a.AdminUp == b.AdminUp && a.LowerUp == b.LowerUp,
            _ => false,
        };
}

/// <summary>Follows one interface by name through the kernel's link notifications (not by polling).</summary>
public interface ILinkWatcher
{
    /// <summary>
    /// Starts following <paramref name="name"/>: <paramref name="onChange"/> is called first with the current state, then on
    /// every change, from a thread of the watcher's own (never the caller's). Returns at once; disposing the result stops it.
    /// </summary>
    IDisposable Watch(string name, Action<LinkStatus> onChange);
}
