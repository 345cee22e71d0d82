namespace ActorVip.Lab.Demo;

/// <summary>The faults done to the VIP's owner.</summary>
public enum FailoverScenario
{
    /// <summary>SIGKILL of the owner's process and its cable cut.</summary>
    Crash,
    /// <summary>SIGTERM: the owner releases and hands over.</summary>
    Graceful,
    /// <summary>The switch drops frames between the owner and the other nodes; the client still reaches everyone.</summary>
    Partition,
    /// <summary>SIGKILL of the process alone: its kernel still holds the address for a while.</summary>
    Kill9,
    /// <summary>SIGSTOP for 5 s, then SIGCONT.</summary>
    Freeze,
    /// <summary>The owner and the allocator's node together (one rack): both SIGKILLed, both cables cut. Needs 5 nodes.</summary>
    RackCrash,
    /// <summary>The switch cuts the owner and the allocator's node, together, off from the other nodes. Needs 5 nodes.</summary>
    RackPartition,
    /// <summary>The switch drops the owner's frames to the other nodes for 10 s, not theirs to it (a broken send path).</summary>
    OneWay,
    /// <summary>
    /// The switch drops every other node's frames to one node that is not the owner (the owner's and the allocator's too), for 10 s, not
    /// its frames to them: a majority stays connected, so the VIP should not even blink (nemesis D #60 cost 3.8 s).
    /// </summary>
    OneWayIn,
    /// <summary>
    /// Two nodes that are not the owner (the allocator's node first among them) frozen by SIGSTOP for 2.5 s, then SIGCONT: the owner
    /// keeps three of five voters, so the VIP should not blink (the five-node nemesis' A #22 cost 1.3 s). Needs 5 nodes.
    /// </summary>
    FreezeTwo,
    /// <summary>
    /// The owner's API server (a small HTTP server on every node, which the VIP's health check asks) stopped; the node itself runs
    /// on. Only for a service with health checks (<see cref="IVipService.WithHealthCheck"/>).
    /// </summary>
    Health,
}

public static class FailoverScenarios
{
    /// <summary>
    /// The faults to the owner alone: "all". The rack faults need 5 nodes and are named one by one, and so is health, which changes the
    /// nodes' configuration (a health check) and needs a service that has one.
    /// </summary>
    public static readonly IReadOnlyList<FailoverScenario> All =
        [FailoverScenario.Crash, FailoverScenario.Graceful, FailoverScenario.Partition, FailoverScenario.Kill9, FailoverScenario.Freeze];

    public static string Name(this FailoverScenario s) => s switch
    {
        FailoverScenario.RackCrash => "rack-crash",
        FailoverScenario.RackPartition => "rack-partition",
        FailoverScenario.OneWay => "one-way",
        FailoverScenario.OneWayIn => "one-way-in",
        FailoverScenario.FreezeTwo => "freeze-two",
        _ => s.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether the fault takes two nodes (the rack faults: the owner and the allocator's; freeze-two: two others), which needs 5 or more.</summary>
    public static bool TakesTwoNodes(this FailoverScenario s) =>
        s is FailoverScenario.RackCrash or FailoverScenario.RackPartition or FailoverScenario.FreezeTwo;

    /// <summary>Whether the fault is to another node than the owner, which keeps the VIP: the trial watches for a blink, not a move.</summary>
    public static bool KeepsTheOwner(this FailoverScenario s) => s is FailoverScenario.OneWayIn or FailoverScenario.FreezeTwo;

    /// <summary>The names "crash", ..., "rack-partition" and "all", for usage lines.</summary>
    public static string Names => string.Join(", ", Enum.GetValues<FailoverScenario>().Select(Name)) + ", all";

    /// <summary>Parses "crash", "graceful", ..., "rack-partition", "all"; null when unknown.</summary>
    public static IReadOnlyList<FailoverScenario>? Parse(string text) =>
        text.Equals("all", StringComparison.OrdinalIgnoreCase) ? All
        : Enum.GetValues<FailoverScenario>()
            .Where(s => s.Name().Equals(text, StringComparison.OrdinalIgnoreCase))
            .Select(s => (IReadOnlyList<FailoverScenario>)[s])
            .FirstOrDefault();
}
