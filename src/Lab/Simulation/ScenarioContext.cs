namespace ActorVip.Lab.Simulation;

/// <summary>What a running scenario works with: the cluster, its seeded randomness, its bounds and its findings.</summary>
public sealed class ScenarioContext(SimulatedCluster cluster, int seed, int rounds, TimeSpan bound)
{
    private readonly List<NoBlink> _mustNotBlink = new();

    /// <summary><paramref name="Node"/> must hold the VIP without a break from <paramref name="From"/> to <paramref name="Until"/> (null: the end).</summary>
    public sealed record NoBlink(string Node, TimeSpan From, TimeSpan? Until);

    public SimulatedCluster Cluster { get; } = cluster;
    public Random Random { get; } = new(seed);

    /// <summary>Rounds of the random scenario.</summary>
    public int Rounds { get; } = rounds;

    /// <summary>The generous liveness bound: how long a takeover or a recovery may take before the scenario fails.</summary>
    public TimeSpan Bound { get; } = bound;

    public bool ReachedFault { get; private set; }

    public IReadOnlyList<NoBlink> MustNotBlink => _mustNotBlink;

    /// <summary>The scenario is about to inject its (first) fault; one that never gets here fails.</summary>
    public void FaultPoint(string what)
    {
        ReachedFault = true;
        Cluster.Mark("fault point: " + what);
    }

    /// <summary>Expects <paramref name="node"/> to hold the VIP without a break from now to the end.</summary>
    public void ExpectNoBlink(SimulatedNode node) => _mustNotBlink.Add(new NoBlink(node.Name, Cluster.Timeline.Now, null));

    /// <summary>Ends the no-blink expectations here (before a heal whose restarts may legitimately move the VIP).</summary>
    public void EndNoBlink()
    {
        var now = Cluster.Timeline.Now;
        for (var i = 0; i < _mustNotBlink.Count; i++)
            _mustNotBlink[i] = _mustNotBlink[i] with { Until = _mustNotBlink[i].Until ?? now };
    }

    /// <summary>
    /// <paramref name="Node"/>, holding the VIP at <paramref name="At"/>, must hand it to another node afterwards with the
    /// VIP dark for at most <paramref name="MaxGap"/>: a planned, graceful handover, not a failover.
    /// </summary>
    public sealed record Handover(string Node, TimeSpan At, TimeSpan MaxGap);

    private readonly List<Handover> _handovers = new();

    public IReadOnlyList<Handover> Handovers => _handovers;

    /// <summary>
    /// <paramref name="node"/> no longer has to keep the VIP without a break: it must hand it over gracefully instead.
    /// For a node that became the allocator's node, which gives its VIPs away (a crash there would take both).
    /// </summary>
    public void ExpectHandoverInstead(SimulatedNode node, TimeSpan maxGap)
    {
        var expectation = _mustNotBlink.FirstOrDefault(b => b.Node == node.Name && b.Until is null)
            ?? throw new InvalidOperationException($"{node.Name} had no no-blink expectation to replace");
        _mustNotBlink.Remove(expectation);
        _handovers.Add(new Handover(node.Name, expectation.From, maxGap));
    }

    /// <summary>
    /// <paramref name="node"/>, which holds the VIP now, is about to be lost (with the allocator's node: one rack): another
    /// node must hold the VIP after at most <paramref name="maxGap"/> of darkness, without waiting for Akka's membership.
    /// </summary>
    public void ExpectTakeover(SimulatedNode node, TimeSpan maxGap) => _handovers.Add(new Handover(node.Name, Cluster.Timeline.Now, maxGap));

    /// <summary>How long a partition or loss is left in place once the cluster reacted.</summary>
    public TimeSpan Dwell => Cluster.Lease.PromiseTime * 3;
}
