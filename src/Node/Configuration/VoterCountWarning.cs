namespace ActorVip.Node.Configuration;

/// <summary>
/// The warning `actorvip run` prints at start for an even number of voting nodes: accepted (a cluster may pass through
/// one while a master is replaced), but it buys nothing over one node fewer and loses the VIP where that would not.
/// </summary>
public static class VoterCountWarning
{
    /// <summary>Null for an odd <paramref name="nodes"/>; else one line naming why and the fix.</summary>
    public static string? For(int nodes)
    {
        if (nodes % 2 != 0) return null;
        var majority = nodes / 2 + 1;
        if (nodes == 2)
        {
            return "actorvip: warning: nodes = 2: the lease needs a majority of 2, both nodes, so the VIP can never fail over: " +
                "when either node fails or they lose each other, nobody answers it; use 3 nodes (or 1)";
        }
        return $"actorvip: warning: nodes = {nodes}: the lease needs a majority of {majority}, so a {nodes / 2}-{nodes / 2} split leaves " +
            $"nobody answering the VIP, and {nodes} nodes survive no more failures than {nodes - 1}; use {nodes - 1} or {nodes + 1} nodes";
    }
}
