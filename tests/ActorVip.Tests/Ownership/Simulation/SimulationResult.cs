namespace ActorVip.Tests.Ownership.Simulation;

/// <summary>
/// What one seed did: the first instant two nodes held the VIP (if any), how soon after the faults the placed node
/// held again, and the shortest time from one node's last held instant to another node's first (0 = overlap).
/// </summary>
internal sealed record SimulationResult(
    int Seed,
    int? FirstOverlapMs,
    string? OverlapNodes,
    int? RecoveredAfterCalmMs,
    int? ClosestHandoverMs,
    int Acquisitions,
    int HeldMs,
    int Crashes,
    int Partitions,
    int PlacementChanges,
    int Claims);
