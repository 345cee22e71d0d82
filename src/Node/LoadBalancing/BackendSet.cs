namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// The backends an actor balances to or watches: the static ones plus the vip members' (as members come and go),
/// and which of them failed their health checks. A backend that leaves the set forgets its verdict.
/// </summary>
public sealed class BackendSet
{
    private readonly HashSet<Backend> _unhealthy = new();
    private IReadOnlyList<Backend> _static = [];
    private IReadOnlyList<Backend> _members = [];

    /// <summary>Static first, then members, each backend once.</summary>
    public IReadOnlyList<Backend> All { get; private set; } = [];

    public void SetStatic(IReadOnlyList<Backend> backends)
    {
        _static = backends;
        Update();
    }

    public void SetMembers(IReadOnlyList<Backend> backends)
    {
        _members = backends;
        Update();
    }

    public void Verdict(Backend backend, bool healthy)
    {
        if (healthy) _unhealthy.Remove(backend);
        else _unhealthy.Add(backend);
    }

    public bool IsHealthy(Backend backend) => !_unhealthy.Contains(backend);

    private void Update()
    {
        All = _static.Concat(_members).Distinct().ToList();
        _unhealthy.IntersectWith(All);
    }
}
