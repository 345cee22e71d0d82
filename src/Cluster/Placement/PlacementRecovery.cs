namespace ActorVip.Ownership;

/// <summary>What a new allocator starts from: the owners the voters still promise to, and an epoch counter.</summary>
public sealed record RecoveredPlacement(IReadOnlyDictionary<string, Assignment> Assignments, long EpochCounter);

/// <summary>
/// A new allocator learns the current owners and the highest epochs from a majority of voters before it places
/// anything, so that it neither moves a VIP that is held nor hands out an epoch that was used before.
/// </summary>
public static class PlacementRecovery
{
    /// <summary>
    /// Per VIP, the unexpired promise with the highest epoch (nobody if none is live, with the highest epoch seen);
    /// the counter is the highest epoch any of them has seen. Needs snapshots from a majority of distinct voters:
    /// any epoch a majority acked is then known to at least one of them. The allocator's presence record is not a VIP and is left out.
    /// </summary>
    public static RecoveredPlacement Recover(IReadOnlyCollection<VoterPromises> snapshots, LeaseSettings settings)
    {
        var voters = snapshots.Select(s => s.Voter).Distinct().Count();
        if (voters < settings.Majority)
            throw new InvalidOperationException(
                $"Recovery needs snapshots from a majority ({settings.Majority} of {settings.Voters} voters) but has {voters}; wait " +
                    "for more voters to answer.");

        var counter = 0L;
        var assignments = new SortedDictionary<string, Assignment>(StringComparer.Ordinal);
        foreach (var group in snapshots.SelectMany(s => s.Promises.VipsOnly()).GroupBy(r => r.Vip, StringComparer.Ordinal))
        {
            var highest = group.Max(r => Math.Max(r.HighestEpoch, r.PromisedEpoch));
            counter = Math.Max(counter, highest);
            var promise = group
                .Where(r => r.PromisedTo is not null)
                .OrderByDescending(r => r.PromisedEpoch)
                .ThenBy(r => r.PromisedTo!.Value)
                .FirstOrDefault();
            assignments[group.Key] = promise is null
                ? new Assignment(null, highest)
                : new Assignment(promise.PromisedTo, promise.PromisedEpoch);
        }
        return new RecoveredPlacement(assignments, counter);
    }
}
