using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// Nodes that disagree on what the lease's safety depends on (issue 13 §2.3): each voter acks only renewals carrying its
/// own fingerprint, so every owner's majority is a majority of voters that run its own voters, N, lease-time and margin.
/// Without that check both scenarios below grant two owners at once.
/// </summary>
public class MixedSettingsSafetyTests
{
    private const string Vip = TestNodes.Vip;
    private static readonly NodeId A = TestNodes.N1, B = TestNodes.N2, C = TestNodes.N3, D = TestNodes.N4;
    private static readonly LeaseSettings Defaults = new(3);

    /// <summary>One renewal round from <paramref name="owner"/> to the voters it reaches, their answers fed back.</summary>
    private static void Renew(OwnerLease lease, NodeId owner, LeaseFingerprint terms, TimeSpan now, params (NodeId Id, VoterState State)[] reached)
    {
        var id = lease.NextRenewal(now);
        foreach (var (voter, state) in reached)
        {
            var vote = state.OnRenew(Vip, owner, lease.Epoch, now, terms.Digest);
            if (vote.IsAck) lease.OnAck(id, voter);
            else lease.OnNack(id, voter, vote.Refusal!.Value, vote.KnownEpoch);
        }
    }

    [Fact]
    public void Replacing_a_master_while_the_old_one_runs_cannot_grant_two_owners_across_a_partition()
    {
        // A, B, C run the old voters; D was started with A, B, D (C's replacement) before C was stopped. A partition
        // {A, C} | {B, D} leaves a majority of each voter set on each side: A and C of A, B, C; B and D of A, B, D.
        var oldTerms = LeaseFingerprint.Of(Defaults, [A, B, C]);
        var newTerms = LeaseFingerprint.Of(Defaults, [A, B, D]);
        var voterA = new VoterState(Defaults, Ms.At(0), oldTerms);
        var voterB = new VoterState(Defaults, Ms.At(0), oldTerms);
        var voterC = new VoterState(Defaults, Ms.At(0), oldTerms);
        var voterD = new VoterState(Defaults, Ms.At(0), newTerms);

        var ownerC = new OwnerLease(Defaults, 1, oldTerms.Voters);
        var ownerD = new OwnerLease(Defaults, 2, newTerms.Voters);
        Renew(ownerC, C, oldTerms, Ms.At(1000), (A, voterA), (C, voterC));
        Renew(ownerD, D, newTerms, Ms.At(1000), (B, voterB), (D, voterD));

        Assert.True(ownerC.IsValid(Ms.At(1001)), "the old configuration's owner has a majority of its voters");
        Assert.False(ownerD.IsValid(Ms.At(1001)), "two owners at once: B, which runs the old voters, acked the new configuration's owner");
        Assert.True(ownerD.IsEnded is false, "a settings refusal never makes the owner give up");
    }

    [Fact]
    public void A_rolling_change_of_lease_time_cannot_give_an_owner_a_longer_lease_than_the_voters_promise()
    {
        // A restarted with lease-time 5 s; B and C still promise 700 + 100 ms.
        var longer = new LeaseSettings(3, Ms.At(5000));
        var oldTerms = LeaseFingerprint.Of(Defaults, [A, B, C]);
        var newTerms = LeaseFingerprint.Of(longer, [A, B, C]);
        var voterA = new VoterState(longer, Ms.At(0), newTerms);
        var voterB = new VoterState(Defaults, Ms.At(0), oldTerms);
        var voterC = new VoterState(Defaults, Ms.At(0), oldTerms);

        var ownerA = new OwnerLease(longer, 1, newTerms.Voters);
        Renew(ownerA, A, newTerms, Ms.At(10_000), (A, voterA), (B, voterB));
        // A is cut off; B's promise (if it made one) ran out at 10 800, and the allocator of the majority placed C.
        var ownerC = new OwnerLease(Defaults, 2, oldTerms.Voters);
        Renew(ownerC, C, oldTerms, Ms.At(10_800), (B, voterB), (C, voterC));

        Assert.True(ownerC.IsValid(Ms.At(10_801)), "the majority side's owner has B and C");
        Assert.False(ownerA.IsValid(Ms.At(10_801)), "two owners at once: A counted B's 800 ms promise as a 5 s lease");
    }
}
