using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class VoterStateTests
{
    private const string Vip = TestNodes.Vip;
    private static readonly NodeId A = TestNodes.N1, B = TestNodes.N2, V = TestNodes.N3;
    private static readonly LeaseSettings Settings = new(3); // the defaults, lease 700 + margin 100: promises last 800 ms

    /// <summary>A voter started at 0, past its quiet period (which ends at 800).</summary>
    private static VoterState Voter() => new(Settings, Ms.At(0));

    [Theory]
    [InlineData(0, false)]
    [InlineData(799, false)]
    [InlineData(800, true)]
    public void A_started_voter_acks_nobody_for_lease_time_plus_margin(int at, bool ack)
    {
        var vote = Voter().OnRenew(Vip, A, 1, Ms.At(at));
        Assert.Equal(ack, vote.IsAck);
        if (!ack)
            Assert.Equal(NackReason.Restarting, vote.Refusal);
    }

    [Theory]
    // A acked at 1000 (promise until 1800), then B with a higher epoch asks at `at`.
    [InlineData(1001, false)]
    [InlineData(1799, false)]
    [InlineData(1800, true)]
    [InlineData(5000, true)]
    public void A_promise_to_another_owner_lasts_promise_time_from_receipt(int at, bool ack)
    {
        var voter = Voter();
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1000)).IsAck);
        var vote = voter.OnRenew(Vip, B, 2, Ms.At(at));
        Assert.Equal(ack ? Vote.Ack : Vote.Nack(NackReason.PromisedToOther, A, 2), vote);
    }

    [Fact]
    public void The_same_owner_is_acked_again_and_each_ack_extends_the_promise()
    {
        var voter = Voter();
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1000)).IsAck);
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1500)).IsAck);
        Assert.False(voter.OnRenew(Vip, B, 2, Ms.At(2299)).IsAck);
        Assert.True(voter.OnRenew(Vip, B, 2, Ms.At(2300)).IsAck);
    }

    [Theory]
    [InlineData(1, 2, NackReason.StaleEpoch)]
    [InlineData(2, 2, null)]
    [InlineData(3, 2, null)]
    public void Epochs_below_the_highest_seen_are_stale(long asked, long seen, NackReason? reason)
    {
        var voter = Voter();
        voter.OnRenew(Vip, B, seen, Ms.At(1000));
        var vote = voter.OnRenew(Vip, B, asked, Ms.At(1100));
        Assert.Equal(reason, vote.Refusal);
        if (reason == NackReason.StaleEpoch)
            Assert.Equal((B, seen), (vote.KnownOwner!.Value, vote.KnownEpoch));
    }

    [Fact]
    public void A_refused_higher_epoch_is_remembered_so_the_old_owner_learns_it_must_give_up()
    {
        var voter = Voter();
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1000)).IsAck);
        Assert.Equal(Vote.Nack(NackReason.PromisedToOther, A, 2), voter.OnRenew(Vip, B, 2, Ms.At(1100)));
        Assert.Equal(Vote.Nack(NackReason.StaleEpoch, B, 2), voter.OnRenew(Vip, A, 1, Ms.At(1150)));
        // The stale renewal did not extend the promise: B is acked once the promise made at 1000 runs out.
        Assert.False(voter.OnRenew(Vip, B, 2, Ms.At(1799)).IsAck);
        Assert.True(voter.OnRenew(Vip, B, 2, Ms.At(1800)).IsAck);
    }

    [Fact]
    public void Stale_epochs_are_refused_as_stale_even_while_restarting()
    {
        var voter = Voter();
        Assert.Equal(NackReason.Restarting, voter.OnRenew(Vip, B, 5, Ms.At(10)).Refusal);
        Assert.Equal(Vote.Nack(NackReason.StaleEpoch, B, 5), voter.OnRenew(Vip, A, 4, Ms.At(20)));
    }

    [Fact]
    public void A_release_lets_the_next_owner_in_at_once()
    {
        var voter = Voter();
        voter.OnRenew(Vip, A, 1, Ms.At(1000));
        voter.OnRelease(Vip, A, 1, Ms.At(1100));
        Assert.True(voter.OnRenew(Vip, B, 2, Ms.At(1100)).IsAck);
    }

    [Theory]
    [InlineData("B", 1)]
    [InlineData("A", 0)]
    [InlineData("A", 2)]
    public void A_release_by_anyone_but_the_promised_owner_and_epoch_is_ignored(string who, long epoch)
    {
        var voter = Voter();
        voter.OnRenew(Vip, A, 1, Ms.At(1000));
        voter.OnRelease(Vip, who == "A" ? A : B, epoch, Ms.At(1100));
        Assert.Equal(NackReason.PromisedToOther, voter.OnRenew(Vip, B, 3, Ms.At(1100)).Refusal);
    }

    [Theory]
    // A late renewal of the released epoch is refused for a promise-time after the release, then acked again.
    [InlineData(1, 1101, NackReason.Released)]
    [InlineData(1, 1899, NackReason.Released)]
    [InlineData(1, 1900, null)]
    [InlineData(3, 1101, null)]
    public void A_renewal_overtaken_by_its_release_does_not_bind_the_voter_again(long epoch, int at, NackReason? reason)
    {
        var voter = Voter();
        voter.OnRenew(Vip, A, 1, Ms.At(1000));
        voter.OnRelease(Vip, A, 1, Ms.At(1100));
        Assert.Equal(reason, voter.OnRenew(Vip, A, epoch, Ms.At(at)).Refusal);
        // Refused means no promise: another owner is acked at once.
        if (reason == NackReason.Released)
            Assert.True(voter.OnRenew(Vip, B, 2, Ms.At(at)).IsAck);
    }

    private static readonly LeaseFingerprint Ours = LeaseFingerprint.Of(Settings, [A, B, V]);
    private static readonly LeaseFingerprint Longer = LeaseFingerprint.Of(new LeaseSettings(3, Ms.At(5000)), [A, B, V]);

    /// <summary>A voter with fingerprint <see cref="Ours"/>, started at 0, past its quiet period.</summary>
    private static VoterState Checking() => new(Settings, Ms.At(0), Ours);

    [Fact]
    public void A_renewal_with_other_settings_is_refused_as_such()
    {
        var voter = Checking();
        Assert.Equal(Vote.Nack(NackReason.SettingsDiffer, null, 0), voter.OnRenew(Vip, A, 1, Ms.At(1000), Longer.Digest));
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1000), Ours.Digest).IsAck);
    }

    [Fact]
    public void A_refused_renewal_with_other_settings_binds_the_voter_to_nothing_and_teaches_it_no_epoch()
    {
        var voter = Checking();
        voter.OnRenew(Vip, A, 9, Ms.At(1000), Longer.Digest);
        // Neither a promise (B is acked at once) nor a higher epoch (epoch 2 is not stale): a node with other settings must
        // not make this voter refuse, or make an owner give up, anything it would otherwise ack.
        Assert.True(voter.OnRenew(Vip, B, 2, Ms.At(1001), Ours.Digest).IsAck);
        Assert.Equal(new PromiseInfo(Vip, B, 2, Ms.At(800), 2, B), Assert.Single(voter.Snapshot(V, Ms.At(1001)).Promises));
    }

    [Fact]
    public void A_renewal_without_a_fingerprint_from_a_node_before_it_is_decided_as_before()
    {
        var voter = Checking();
        Assert.True(voter.OnRenew(Vip, A, 1, Ms.At(1000), fingerprint: null).IsAck);
        Assert.Equal(Vote.Nack(NackReason.PromisedToOther, A, 2), voter.OnRenew(Vip, B, 2, Ms.At(1100), fingerprint: null));
    }

    [Fact]
    public void The_settings_refusal_comes_before_every_other_answer()
    {
        var voter = Checking();
        Assert.Equal(NackReason.SettingsDiffer, voter.OnRenew(Vip, A, 1, Ms.At(10), Longer.Digest).Refusal); // quiet
        voter.OnRenew(Vip, B, 5, Ms.At(1000), Ours.Digest);
        Assert.Equal(NackReason.SettingsDiffer, voter.OnRenew(Vip, A, 4, Ms.At(1100), Longer.Digest).Refusal); // stale
    }

    [Fact]
    public void Vips_are_independent()
    {
        var voter = Voter();
        Assert.True(voter.OnRenew("192.0.2.100", A, 1, Ms.At(1000)).IsAck);
        Assert.True(voter.OnRenew("192.0.2.101", B, 1, Ms.At(1000)).IsAck);
        Assert.True(voter.OnRenew("2001:db8::1", B, 1, Ms.At(1000)).IsAck);
    }

    [Fact]
    public void A_restarted_voter_has_forgotten_everything_and_is_quiet_again()
    {
        var before = Voter();
        before.OnRenew(Vip, A, 9, Ms.At(1000));
        var after = new VoterState(Settings, Ms.At(1200));
        Assert.Empty(after.Snapshot(V, Ms.At(1200)).Promises);
        Assert.Equal(NackReason.Restarting, after.OnRenew(Vip, B, 1, Ms.At(1999)).Refusal);
        Assert.True(after.OnRenew(Vip, B, 1, Ms.At(2000)).IsAck);
    }

    [Theory]
    [InlineData(1500, true)]
    [InlineData(1799, true)]
    [InlineData(1800, false)]
    public void The_snapshot_shows_the_live_promise_and_the_highest_epoch(int at, bool live)
    {
        var voter = Voter();
        voter.OnRenew("192.0.2.101", B, 4, Ms.At(900));
        voter.OnRenew(Vip, A, 1, Ms.At(1000));
        voter.OnRenew(Vip, B, 2, Ms.At(1100));
        var snapshot = voter.Snapshot(V, Ms.At(at));
        Assert.Equal(V, snapshot.Voter);
        Assert.Equal(
            [
                new PromiseInfo(Vip, live ? A : null, live ? 1 : 0, live ? Ms.At(1800 - at) : TimeSpan.Zero, 2, B),
                new PromiseInfo("192.0.2.101", at < 1700 ? B : null, at < 1700 ? 4 : 0, at < 1700 ? Ms.At(1700 - at) : TimeSpan.Zero, 4, B),
            ],
            snapshot.Promises);
    }
}
