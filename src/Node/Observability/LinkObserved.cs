namespace ActorVip.Node.Observability;

/// <summary>
/// The node agent's view of its VIP interface changed: <paramref name="CanServe"/> (exists, up, with carrier) and why.
/// Drives actorvip_link_up and /readyz.
/// </summary>
public sealed record LinkObserved(string Interface, bool CanServe, string Reason);
