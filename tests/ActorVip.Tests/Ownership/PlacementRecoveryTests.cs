using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

public class PlacementRecoveryTests
{
    private static readonly LeaseSettings Settings = new(3);

    private static PromiseInfo Promise(NodeId owner, long epoch, long highest) => new(Vip, owner, epoch, Ms.At(300), highest, owner);

    private static PromiseInfo NoPromise(long highest, string vip = Vip) => new(vip, null, 0, TimeSpan.Zero, highest, N1);

    [Fact]
    public void Fewer_than_a_majority_of_voters_is_not_enough()
    {
        var one = new VoterPromises(N1, [Promise(N1, 3, 3)]);
        var e = Assert.Throws<InvalidOperationException>(() => PlacementRecovery.Recover([one, one], Settings));
        Assert.Contains("majority (2 of 3 voters) but has 1", e.Message);
    }

    [Fact]
    public void The_live_promise_with_the_highest_epoch_is_the_owner_and_the_counter_is_the_highest_epoch_seen()
    {
        var r = PlacementRecovery.Recover(
        [
            new VoterPromises(N1, [Promise(N1, 3, 3), NoPromise(2, "192.0.2.101")]),
            new VoterPromises(N2, [Promise(N2, 4, 7)]), // epoch 7 was refused but handed out: never reuse it
        ], Settings);
        Assert.Equal(new Assignment(N2, 4), r.Assignments[Vip]);
        Assert.Equal(new Assignment(null, 2), r.Assignments["192.0.2.101"]);
        Assert.Equal(7, r.EpochCounter);
    }

    [Fact]
    public void No_snapshot_data_recovers_nothing()
    {
        var r = PlacementRecovery.Recover([new VoterPromises(N1, []), new VoterPromises(N2, [])], Settings);
        Assert.Empty(r.Assignments);
        Assert.Equal(0, r.EpochCounter);
    }

    [Fact]
    public void A_new_allocator_does_not_move_a_held_vip_and_never_reuses_an_epoch()
    {
        // N1 holds at epoch 4 with voters N1 and N2; N3 once saw epoch 6 for a placement that never acquired.
        var voters = new[] { N1, N2, N3 }.ToDictionary(n => n, _ => new VoterState(Settings, Ms.At(0)));
        Assert.True(voters[N1].OnRenew(Vip, N1, 4, Ms.At(1000)).IsAck);
        Assert.True(voters[N2].OnRenew(Vip, N1, 4, Ms.At(1000)).IsAck);
        Assert.True(voters[N3].OnRenew(Vip, N3, 6, Ms.At(500)).Refusal == NackReason.Restarting);

        var snapshots = new[] { N2, N3 }.Select(n => voters[n].Snapshot(n, Ms.At(1200))).ToList();
        var recovered = PlacementRecovery.Recover(snapshots, Settings);
        Assert.Equal(new Assignment(N1, 4), recovered.Assignments[Vip]);
        Assert.Equal(6, recovered.EpochCounter);

        var members = new[] { N1, N2, N3 }.Select(n => new MemberView(n, hasVipRole: true, isUp: true, isReachable: true, backendHealthy: true)).ToList();
        var kept = Placement.Decide([new VipSpec(Vip)], members, N3, recovered.Assignments, recovered.EpochCounter);
        Assert.Empty(kept.Changes);

        var moved = Placement.Decide([new VipSpec(Vip)], members.Where(m => m.Node != N1).ToList(), N3, recovered.Assignments, recovered.EpochCounter);
        Assert.Equal([new AssignmentChange(Vip, N1, N2, 7)], moved.Changes);
    }
}
