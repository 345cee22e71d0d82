using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;

namespace ActorVip.Node.LoadBalancing;

/// <summary>The cluster's reachable `vip` members, as backend endpoints (member host, backend port), for the named service of the VIP.</summary>
public sealed record MembersChanged(IReadOnlyList<Endpoint> Backends, string Service = "");

/// <summary>The backends the health checker should check from now on.</summary>
public sealed record CheckTargets(IReadOnlyCollection<Backend> Backends);

/// <summary>A backend's verdict flipped after rise or fall results in a row, in the checks of the named service.</summary>
public sealed record BackendHealthChanged(Backend Backend, bool Healthy, string Service = "");

/// <summary>This node sees at least one healthy backend (true) or none (false); from the BackendWatch to the agent.</summary>
public sealed record LocalBackendHealth(bool AnyHealthy);

/// <summary>Published on the event stream each time an IpvsActor changed the kernel table (tests, benchmarks).</summary>
public sealed record LoadBalancerReconciled(string Vip, IReadOnlyList<IpvsOperation> Changes, IpvsTable Table);

/// <summary>Published after every reconcile that succeeded: the table this node programs for the VIP and its backends' health.</summary>
public sealed record LoadBalancerObserved(string Vip, IpvsTable Table, IReadOnlyList<BackendHealth> Backends);

/// <summary>One backend of a VIP's service (e.g. "udp 53") and its health-check verdict.</summary>
public sealed record BackendHealth(Backend Backend, bool Healthy, string Service = "");

/// <summary>Programming IPVS for the VIP failed (it is retried).</summary>
public sealed record LoadBalancerReconcileFailed(string Vip, string Error);

/// <summary>The VIP's IPVS service was removed: this node no longer balances it.</summary>
public sealed record LoadBalancerStopped(string Vip);
