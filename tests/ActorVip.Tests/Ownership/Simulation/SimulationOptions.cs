using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership.Simulation;

/// <summary>
/// One simulated run: virtual real time in 1 ms steps; faults (loss, long delays, partitions, crashes with voter
/// restarts, freezes, placement changes; each a chance per ms, "one in N") until <see cref="CalmFrom"/>, then a healed network and a stable placement.
/// A node that gives up a held VIP silences it (fence closed, address removed) within 0 to <see cref="MaxSilenceMs"/>, or
/// fails to (<see cref="SilenceFailChance"/>); it answers until then, or until its fence element ran out.
/// <see cref="ReleaseBeforeSilence"/> is the old, broken order (release first): tests show the checker catching it.
/// <see cref="DeputyClaimOneIn"/>: a chance per ms that some node's deputy claims the VIP whatever the others do (0: never).
/// </summary>
internal sealed record SimulationOptions(
    int Nodes,
    LeaseSettings Settings,
    double ClockDrift = 0.01,
    int Steps = 6000,
    int CalmFrom = 3000,
    double MaxLoss = 0.2,
    int LongDelayMs = 300,
    double ReleaseChance = 0.8,
    int HolderFaultOneIn = 150,
    int MaxSilenceMs = 60,
    double SilenceFailChance = 0.1,
    bool ReleaseBeforeSilence = false,
    int DeputyClaimOneIn = 400)
{
    public static SimulationOptions Default(int nodes, TimeSpan? margin = null, double drift = 0.01) =>
        new(nodes, margin < LeaseSettings.MinMargin ? LeaseSettings.BelowMarginFloor(nodes, margin.Value) : new LeaseSettings(nodes, margin: margin), drift);

    /// <summary>
    /// How soon after the faults stop the placed node must hold again: the last delayed message, a voter's quiet
    /// period or an old promise (lease-time + margin, stretched by drift), one renew-interval and slack; generous.
    /// </summary>
    public int RecoveryBoundMs =>
        LongDelayMs + 2 * (int)(Settings.PromiseTime.TotalMilliseconds * (1 + ClockDrift)) + 2 * (int)Settings.RenewInterval.TotalMilliseconds + 200;
}
