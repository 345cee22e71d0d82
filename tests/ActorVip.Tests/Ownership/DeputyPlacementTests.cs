using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>
/// The deputy (issue 13 §1): when the owner and the allocator's node are lost together, the survivors place the VIP
/// from what a majority of voters report, exactly one of them claims it, at an epoch above every reported one, and
/// nobody claims a VIP that a majority still promises, or while an allocator is still present at a majority.
/// </summary>
public class DeputyPlacementTests
{
    private static readonly LeaseSettings Five = new(5);
    private static readonly IReadOnlyList<VipSpec> Vips = [new(Vip)];

    /// <summary>N1 ran the allocator, N2 owned the VIP at epoch 7; both are gone, the promises ran out.</summary>
    private static VoterPromises Orphaned(NodeId voter, long highestEpoch = 7) => new(voter,
    [
        new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, N1),
        new PromiseInfo(Vip, null, 0, TimeSpan.Zero, highestEpoch, N2),
    ]);

    private static PromiseInfo Live(string key, NodeId to, long epoch, double remainingMs) => new(key, to, epoch, Ms.At(remainingMs), epoch, to);

    // N1 is the oldest, then N2..N5.
    private static readonly IReadOnlyList<NodeId> UpOldestFirst = [N1, N2, N3, N4, N5];

    [Fact]
    public void A_voter_that_never_heard_from_an_allocator_asks_nothing()
    {
        var (probe, next) = DeputyPlacement.Look(new VoterPromises(N3, [new PromiseInfo(Vip, null, 0, TimeSpan.Zero, 0, null)]), Vips, Five);
        Assert.False(probe);
        Assert.Equal(Five.PromiseTime, next);
    }

    [Fact]
    public void While_the_allocator_is_present_the_deputy_looks_again_when_its_promise_would_run_out()
    {
        var local = new VoterPromises(N3, [Live(AllocatorPresence.Key, N1, 3, 420), new PromiseInfo(Vip, null, 0, TimeSpan.Zero, 7, N2)]);
        var (probe, next) = DeputyPlacement.Look(local, Vips, Five);
        Assert.False(probe);
        Assert.Equal(Ms.At(420) - DeputyPlacement.Lead(Five), next);
    }

    [Fact]
    public void Without_the_allocator_a_held_vip_is_looked_at_when_its_promise_would_run_out()
    {
        var local = new VoterPromises(N3, [new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, N1), Live(Vip, N2, 7, 130)]);
        var (probe, next) = DeputyPlacement.Look(local, Vips, Five);
        Assert.False(probe);
        Assert.Equal(Ms.At(130) - DeputyPlacement.Lead(Five), next);
    }

    [Fact]
    public void Without_the_allocator_and_the_owner_the_deputy_asks_every_voter()
    {
        Assert.True(DeputyPlacement.Look(Orphaned(N3), Vips, Five).Probe);
    }

    [Fact]
    public void The_survivors_agree_on_one_claimant_that_is_neither_dead_nor_the_next_allocator()
    {
        // N1 (allocator) and N2 (owner) are gone together; N3, N4, N5 answer: a majority of five.
        var answers = new[] { Orphaned(N3), Orphaned(N4, highestEpoch: 9), Orphaned(N5) };
        var claims = new[] { N3, N4, N5 }.ToDictionary(n => n, n => DeputyPlacement.Decide(answers, Vips, UpOldestFirst, n, Five).Claims);

        var claimants = claims.Where(c => c.Value.Count > 0).ToList();
        var claimant = Assert.Single(claimants);
        // N3, the oldest survivor, will run the next allocator: the VIP goes elsewhere, so the new allocator keeps it.
        Assert.Equal(N4, claimant.Key);
        var claim = Assert.Single(claimant.Value);
        Assert.Equal(Vip, claim.Vip);
        Assert.Equal(10, claim.Epoch); // above every epoch any answering voter reported
        Assert.Equal(N2, claim.PreviousOwner);
    }

    [Fact]
    public void Nothing_is_claimed_without_answers_from_a_majority_of_the_voters()
    {
        var decision = DeputyPlacement.Decide([Orphaned(N3), Orphaned(N4)], Vips, UpOldestFirst, N4, Five);
        Assert.Empty(decision.Claims);
    }

    [Fact]
    public void Nothing_is_claimed_while_a_majority_still_has_the_allocator_present()
    {
        // The allocator lives and reaches N4 and N5: it places the VIP itself; a deputy would only get in its way.
        var present = new Func<NodeId, VoterPromises>(v => new VoterPromises(v,
            [Live(AllocatorPresence.Key, N1, 3, 300), new PromiseInfo(Vip, null, 0, TimeSpan.Zero, 7, N2)]));
        var decision = DeputyPlacement.Decide([Orphaned(N3), present(N4), present(N5)], Vips, UpOldestFirst, N4, Five);
        Assert.Empty(decision.Claims);
        Assert.Equal(Ms.At(300) - DeputyPlacement.Lead(Five), decision.RetryAfter);
    }

    [Fact]
    public void A_vip_still_promised_at_a_majority_is_left_to_its_owner()
    {
        // The owner renews with N4 and N5 (cut off from N3 only): it holds the VIP; nobody may take it.
        var held = new Func<NodeId, VoterPromises>(v => new VoterPromises(v,
            [new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, N1), Live(Vip, N2, 7, 600)]));
        foreach (var self in new[] { N3, N4, N5 })
            Assert.Empty(DeputyPlacement.Decide([Orphaned(N3), held(N4), held(N5)], Vips, UpOldestFirst, self, Five).Claims);
    }

    [Fact]
    public void A_vip_whose_promise_runs_out_a_little_later_at_some_voters_is_looked_at_again_then()
    {
        var late = new Func<NodeId, double, VoterPromises>((v, ms) => new VoterPromises(v,
            [new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, N1), Live(Vip, N2, 7, ms)]));
        var decision = DeputyPlacement.Decide([Orphaned(N3), late(N4, 54), late(N5, 59)], Vips, UpOldestFirst, N4, Five);
        Assert.Empty(decision.Claims);
        // Free at N3 now, at N4 in 54 ms, at N5 in 59 ms: a majority (3 of 5) has none in 59 ms, and the deputy acts a lead before.
        Assert.Equal(Ms.At(59) - DeputyPlacement.Lead(Five), decision.RetryAfter);
    }

    [Fact]
    public void A_vip_whose_promises_are_about_to_run_out_is_claimed_ahead_so_that_the_grant_comes_as_they_end()
    {
        // A rack crash: the promises at N4 and N5 run out in 30 and 40 ms. The deputy claims now; the voters refuse the claim
        // until then and the agent retries every 25 ms, so the probe round is no longer between the promises' end and the grant.
        var late = new Func<NodeId, double, VoterPromises>((v, ms) => new VoterPromises(v,
            [Live(AllocatorPresence.Key, N1, 3, ms - 10), Live(Vip, N2, 7, ms)]));
        var answers = new[] { late(N3, 20), late(N4, 30), late(N5, 40) };
        Assert.True(DeputyPlacement.Look(late(N4, 30), Vips, Five).Probe);
        var claim = Assert.Single(DeputyPlacement.Decide(answers, Vips, UpOldestFirst, N4, Five).Claims);
        Assert.Equal(8, claim.Epoch);
        Assert.Equal(N2, claim.PreviousOwner);
    }

    [Fact]
    public void The_lead_is_at_most_half_the_margin_so_an_owner_still_holding_its_lease_is_never_claimed_against()
    {
        // With the smallest margin (20 ms) a promise with 15 ms left was acked lease-time + 5 ms ago: too recent to act on.
        var tight = new LeaseSettings(5, margin: TimeSpan.FromMilliseconds(20));
        Assert.Equal(TimeSpan.FromMilliseconds(10), DeputyPlacement.Lead(tight));
        Assert.Equal(TimeSpan.FromMilliseconds(50), DeputyPlacement.Lead(Five));
        var late = new Func<NodeId, VoterPromises>(v => new VoterPromises(v,
            [new PromiseInfo(AllocatorPresence.Key, null, 0, TimeSpan.Zero, 3, N1), Live(Vip, N2, 7, 15)]));
        Assert.False(DeputyPlacement.Look(late(N4), Vips, tight).Probe);
        Assert.Empty(DeputyPlacement.Decide([late(N3), late(N4), late(N5)], Vips, UpOldestFirst, N4, tight).Claims);
        Assert.Single(DeputyPlacement.Decide([late(N3), late(N4), late(N5)], Vips, UpOldestFirst, N4, Five).Claims);
    }

    [Fact]
    public void The_last_owner_and_the_last_allocators_node_never_claim()
    {
        // Both answer (they are alive but lost their promises, say after a long freeze): the VIP goes to another node.
        var answers = new[] { Orphaned(N1), Orphaned(N2), Orphaned(N3) };
        Assert.Empty(DeputyPlacement.Decide(answers, Vips, UpOldestFirst, N1, Five).Claims);
        Assert.Empty(DeputyPlacement.Decide(answers, Vips, UpOldestFirst, N2, Five).Claims);
        Assert.Single(DeputyPlacement.Decide(answers, Vips, UpOldestFirst, N3, Five).Claims);
    }

    [Fact]
    public void The_allocator_adopts_a_newer_promise_to_another_node_and_nothing_else()
    {
        var assignments = new Dictionary<string, Assignment> { [Vip] = new(N2, 7) };
        var newer = new VoterPromises(N3, [Live(Vip, N4, 10, 500)]);
        var adoption = Assert.Single(DeputyPlacement.Adoptions(assignments, newer, Vips));
        Assert.Equal((Vip, new Assignment(N2, 7), new Assignment(N4, 10)), adoption);

        // The same epoch (two claimants at once), an older one, the assigned owner itself, the presence: not adopted.
        Assert.Empty(DeputyPlacement.Adoptions(assignments, new VoterPromises(N3, [Live(Vip, N4, 7, 500)]), Vips));
        Assert.Empty(DeputyPlacement.Adoptions(assignments, new VoterPromises(N3, [Live(Vip, N4, 5, 500)]), Vips));
        Assert.Empty(DeputyPlacement.Adoptions(assignments, new VoterPromises(N3, [Live(Vip, N2, 12, 500)]), Vips));
        Assert.Empty(DeputyPlacement.Adoptions(assignments, new VoterPromises(N3, [Live(AllocatorPresence.Key, N4, 40, 500)]), Vips));
    }

    [Fact]
    public void Recovery_leaves_the_allocators_presence_out()
    {
        var answers = new[] { Orphaned(N3), Orphaned(N4), Orphaned(N5) };
        var recovered = PlacementRecovery.Recover(answers, Five);
        Assert.Equal([Vip], recovered.Assignments.Keys);
        Assert.Equal(7, recovered.EpochCounter);
    }

    [Fact]
    public void Of_two_claimants_the_one_listed_later_among_the_voters_yields_and_the_first_holds_on()
    {
        var voters = UpOldestFirst;
        var soon = TimeSpan.FromMilliseconds(30);
        Assert.True(DeputyPlacement.ClaimYields(N4, N3, previousOwner: N2, voters, soon, Five));
        Assert.False(DeputyPlacement.ClaimYields(N3, N4, previousOwner: N2, voters, soon, Five));
        // Never to itself or to the owner it replaces; always to a node that is no voter (it cannot be ranked).
        Assert.False(DeputyPlacement.ClaimYields(N3, N3, previousOwner: N2, voters, soon, Five));
        Assert.False(DeputyPlacement.ClaimYields(N3, N2, previousOwner: N2, voters, soon, Five));
        Assert.True(DeputyPlacement.ClaimYields(N3, new NodeId("akka.tcp://actorvip@192.0.2.99:4053"), previousOwner: N2, voters, soon, Five));
    }

    [Fact]
    public void A_claim_not_granted_within_a_promise_time_yields_to_anyone_but_the_owner_it_replaces()
    {
        // The other may be an allocator's choice at the same epoch, which never yields: holding on would split the votes.
        Assert.False(DeputyPlacement.ClaimYields(N3, N4, previousOwner: N2, UpOldestFirst, Five.PromiseTime - TimeSpan.FromMilliseconds(1), Five));
        Assert.True(DeputyPlacement.ClaimYields(N3, N4, previousOwner: N2, UpOldestFirst, Five.PromiseTime, Five));
        Assert.False(DeputyPlacement.ClaimYields(N3, N2, previousOwner: N2, UpOldestFirst, Five.PromiseTime * 2, Five));
    }
}
