using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class OwnerLivenessTests
{
    private static readonly LeaseSettings Settings = new(3, TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200));
    private static readonly NodeId A = new("a");
    private static readonly NodeId B = new("b");
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static Dictionary<string, Assignment> Assigned(NodeId? owner) => new() { ["vip"] = new Assignment(owner, 1) };

    private static VoterPromises Promise(NodeId? to, int remainingMs) =>
        new(new NodeId("self"), [new PromiseInfo("vip", to, 1, Ms(remainingMs), 1, to)]);

    [Fact]
    public void A_new_owner_is_live_for_the_acquire_grace_without_any_promise()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0));
        Assert.Equal(Ms(1100), liveness.AcquireGrace);
        Assert.Empty(liveness.Stale(Ms(1099)));
        Assert.Equal([A], liveness.Stale(Ms(1100)));
    }

    [Fact]
    public void A_renewing_owner_stays_live_and_goes_stale_when_the_local_promise_runs_out()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0));
        for (var t = 100; t <= 5000; t += 100) liveness.OnLocalSnapshot(Promise(A, 800), Ms(t));
        Assert.Empty(liveness.Stale(Ms(5000)));
        // Crash at 5000: the last promise (seen at 5000 with 800 ms left) ends at 5800.
        Assert.Empty(liveness.Stale(Ms(5799)));
        Assert.Equal([A], liveness.Stale(Ms(5800)));
    }

    [Fact]
    public void Back_in_contact_with_a_majority_an_owner_the_local_voter_could_not_hear_gets_a_promise_time()
    {
        var liveness = new OwnerLiveness(Settings);
        Assert.Equal(Ms(800), liveness.ReconnectGrace);
        liveness.Track(Assigned(A), Ms(0));
        liveness.OnLocalSnapshot(Promise(A, 800), Ms(1000));
        // Cut off from 1000: the local voter's promise ran out at 1800; at the heal (3000) the owner reads stale.
        Assert.Equal([A], liveness.Stale(Ms(3000)));
        liveness.Reconnected(Ms(3000));
        Assert.Empty(liveness.Stale(Ms(3000)));
        Assert.Equal([A], liveness.Renewing(Ms(3799)));
        // Heard within the grace: live to the new promise's end.
        liveness.OnLocalSnapshot(Promise(A, 800), Ms(3200));
        Assert.Empty(liveness.Stale(Ms(3999)));
        Assert.Equal([A], liveness.Stale(Ms(4000)));
        // Not heard: stale when the grace ends.
        var silent = new OwnerLiveness(Settings);
        silent.Track(Assigned(A), Ms(0));
        silent.Reconnected(Ms(3000));
        Assert.Empty(silent.Stale(Ms(3799)));
        Assert.Equal([A], silent.Stale(Ms(3800)));
    }

    [Fact]
    public void Reconnecting_never_shortens_a_longer_liveness()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0)); // live to 1100 (acquire grace); a reconnection at 100 would give 900
        liveness.Reconnected(Ms(100));
        Assert.Empty(liveness.Stale(Ms(1099)));
        Assert.Equal([A], liveness.Stale(Ms(1100)));
    }

    [Fact]
    public void A_promise_to_someone_else_or_an_expired_one_does_not_count()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0));
        liveness.OnLocalSnapshot(Promise(B, 800), Ms(1000));
        liveness.OnLocalSnapshot(Promise(A, 0), Ms(1000));
        liveness.OnLocalSnapshot(Promise(null, 0), Ms(1000));
        Assert.Equal([A], liveness.Stale(Ms(1100)));
    }

    [Fact]
    public void A_change_of_owner_restarts_the_grace_and_removal_forgets_the_vip()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0));
        liveness.Track(Assigned(B), Ms(2000));
        Assert.Empty(liveness.Stale(Ms(3000)));
        Assert.Equal([B], liveness.Stale(Ms(3100)));
        liveness.Track(Assigned(null), Ms(3100));
        Assert.Empty(liveness.Stale(Ms(9000)));
    }

    [Fact]
    public void The_next_expiry_is_where_the_earliest_live_owner_would_go_stale()
    {
        var liveness = new OwnerLiveness(Settings);
        Assert.Null(liveness.NextExpiry(Ms(0)));
        var two = new Dictionary<string, Assignment> { ["vip"] = new(A, 1), ["other"] = new(B, 1) };
        liveness.Track(two, Ms(0));
        Assert.Equal(Ms(1100), liveness.NextExpiry(Ms(0)));
        for (var t = 100; t <= 2000; t += 100) liveness.OnLocalSnapshot(Promise(A, 800), Ms(t));
        // B went stale at 1100 and is past; A is live until 2800.
        Assert.Equal(Ms(2800), liveness.NextExpiry(Ms(2000)));
        Assert.Null(liveness.NextExpiry(Ms(2800)));
    }

    [Fact]
    public void An_assignment_is_confirmed_by_a_live_promise_to_its_owner_at_its_epoch_only()
    {
        var liveness = new OwnerLiveness(Settings);
        liveness.Track(Assigned(A), Ms(0));
        Assert.False(liveness.Confirms("vip", new Assignment(A, 1), Ms(0)));
        liveness.OnLocalSnapshot(Promise(A, 800), Ms(100));
        Assert.True(liveness.Confirms("vip", new Assignment(A, 1), Ms(100)));
        Assert.False(liveness.Confirms("vip", new Assignment(A, 2), Ms(100)));   // a newer epoch it has not renewed yet
        Assert.False(liveness.Confirms("vip", new Assignment(B, 1), Ms(100)));
        Assert.False(liveness.Confirms("other", new Assignment(A, 1), Ms(100)));
        Assert.False(liveness.Confirms("vip", new Assignment(A, 1), Ms(900)));   // the promise ran out
    }

    [Fact]
    public void Renewing_lists_the_owners_that_are_live_and_stale_ones_are_not()
    {
        var liveness = new OwnerLiveness(Settings);
        var two = new Dictionary<string, Assignment> { ["vip"] = new(A, 1), ["other"] = new(B, 1) };
        liveness.Track(two, Ms(0));
        Assert.Equal([A, B], liveness.Renewing(Ms(500)).Order());
        for (var t = 100; t <= 2000; t += 100) liveness.OnLocalSnapshot(Promise(A, 800), Ms(t));
        // B never got a promise: stale after the grace; A renews until 2000 and is live until 2800.
        Assert.Equal([A], liveness.Renewing(Ms(2000)));
        Assert.Empty(liveness.Renewing(Ms(2800)));
    }
}
