namespace ActorVip.Node.Observability;

/// <summary>A gratuitous ARP (request and reply) or an unsolicited neighbour advertisement went out for <paramref name="Vip"/>.</summary>
public sealed record AnnouncementSent(string Vip);
