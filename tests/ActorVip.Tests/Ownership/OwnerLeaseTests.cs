using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class OwnerLeaseTests
{
    private static readonly NodeId A = TestNodes.N1, B = TestNodes.N2, C = TestNodes.N3, D = TestNodes.N4, E = TestNodes.N5;
    private static readonly NodeId[] Five = [A, B, C, D, E];

    // The design's timing (lease 600, renew 150, margin 200 ms), spelled out: these tests are about the mechanics.
    private static OwnerLease Lease(int voters = 3, long epoch = 7) =>
        new(new LeaseSettings(voters, Ms.At(600), Ms.At(150), Ms.At(200)), epoch, Five.Take(voters));

    private static string Asked(OwnerLease lease, int voters = 3) =>
        string.Join("", Five.Take(voters).Select((v, i) => lease.WantsAckFrom(v) ? "ABCDE"[i].ToString() : ""));

    [Fact]
    public void A_shared_batch_id_must_keep_the_leases_own_id_guarantees()
    {
        // An id below the send time would let an ack look older than it is, a repeated one match two renewals.
        var lease = Lease();
        Assert.Throws<ArgumentException>(() => lease.NextRenewal(Ms.At(100), Ms.At(100).Ticks - 1));
        var first = lease.NextRenewal(Ms.At(100), Ms.At(100).Ticks + 5);
        Assert.Throws<ArgumentException>(() => lease.NextRenewal(Ms.At(100), first));
        var second = lease.NextRenewal(Ms.At(100), first + 1);
        foreach (var voter in new[] { A, B }) lease.OnAck(second, voter);
        Assert.Equal(Ms.At(100) + Ms.At(600), lease.ValidUntil);
    }

    [Fact]
    public void Acks_are_asked_of_everyone_until_a_majority_answered_then_of_that_majority_only()
    {
        var lease = Lease(5);
        var first = lease.NextRenewal(Ms.At(0));
        Assert.Equal("ABCDE", Asked(lease, 5));
        foreach (var voter in new[] { A, D, B, C, E }) lease.OnAck(first, voter);
        var second = lease.NextRenewal(Ms.At(250));
        Assert.Equal("ABD", Asked(lease, 5)); // the first three to answer
        foreach (var voter in new[] { A, B, D }) lease.OnAck(second, voter);
        lease.NextRenewal(Ms.At(500));
        Assert.Equal("ABD", Asked(lease, 5));
    }

    [Fact]
    public void A_renewal_its_quorum_did_not_complete_makes_the_next_one_ask_everyone()
    {
        var lease = Lease();
        var first = lease.NextRenewal(Ms.At(0));
        lease.OnAck(first, A);
        lease.OnAck(first, C);
        var second = lease.NextRenewal(Ms.At(250));
        Assert.Equal("AC", Asked(lease));
        lease.OnAck(second, A); // C is gone: no majority
        var third = lease.NextRenewal(Ms.At(500));
        Assert.Equal("ABC", Asked(lease));
        lease.OnAck(third, A);
        lease.OnAck(third, B);
        Assert.True(lease.IsValid(Ms.At(1099)));  // the third renewal (sent at 500) extended the lease; the second never did
        lease.NextRenewal(Ms.At(750));
        Assert.Equal("AB", Asked(lease));
    }

    [Fact]
    public void Everyone_is_asked_again_once_the_lease_ran_out()
    {
        var lease = Lease();
        var first = lease.NextRenewal(Ms.At(0));
        lease.OnAck(first, A);
        lease.OnAck(first, B);
        // A stall: the next renewal goes out after the lease (600 ms) ended.
        lease.NextRenewal(Ms.At(900));
        Assert.Equal("ABC", Asked(lease));
    }

    [Fact]
    public void A_new_lease_is_not_valid()
    {
        var lease = Lease();
        Assert.Null(lease.ValidUntil);
        Assert.False(lease.IsValid(Ms.At(0)));
        Assert.Equal(TimeSpan.Zero, lease.Remaining(Ms.At(0)));
    }

    [Theory]
    [InlineData(1, 0, false)]
    [InlineData(1, 1, true)]
    [InlineData(3, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(3, 3, true)]
    [InlineData(4, 2, false)]
    [InlineData(4, 3, true)]
    [InlineData(5, 2, false)]
    [InlineData(5, 3, true)]
    public void Valid_only_once_a_majority_of_the_configured_voters_acked(int voters, int acks, bool valid)
    {
        var lease = Lease(voters);
        var id = lease.NextRenewal(Ms.At(100));
        foreach (var voter in Five.Take(acks))
            lease.OnAck(id, voter);
        Assert.Equal(valid, lease.IsValid(Ms.At(101)));
        Assert.Equal(valid ? Ms.At(700) : null, lease.ValidUntil);
    }

    [Fact]
    public void Duplicate_acks_from_one_voter_count_once()
    {
        var lease = Lease();
        var id = lease.NextRenewal(Ms.At(0));
        Assert.False(lease.OnAck(id, A));
        Assert.False(lease.OnAck(id, A));
        Assert.False(lease.IsValid(Ms.At(1)));
    }

    [Fact]
    public void Acks_from_nodes_that_are_not_configured_voters_do_not_count()
    {
        var lease = Lease();
        var id = lease.NextRenewal(Ms.At(0));
        lease.OnAck(id, A);
        lease.OnAck(id, D);
        lease.OnAck(id, E);
        Assert.False(lease.IsValid(Ms.At(1)));
        lease.OnAck(id, B);
        Assert.True(lease.IsValid(Ms.At(1)));
    }

    [Fact]
    public void Acks_of_unknown_renewals_are_ignored()
    {
        var lease = Lease();
        var id = lease.NextRenewal(Ms.At(0));
        lease.OnAck(id + 1, A);
        lease.OnAck(id - 1, B);
        lease.OnAck(id, A);
        Assert.False(lease.IsValid(Ms.At(1)));
    }

    [Theory]
    // sent, probe, valid at probe: the lease runs from the SEND time; when the acks arrive cannot move its end.
    [InlineData(100, 100, true)]
    [InlineData(100, 699, true)]
    [InlineData(100, 700, false)]
    [InlineData(100, 5000, false)]
    [InlineData(0, 599, true)]
    public void The_lease_counts_from_the_send_time(int sent, int probe, bool valid)
    {
        var lease = Lease();
        var id = lease.NextRenewal(Ms.At(sent));
        lease.OnAck(id, A);
        lease.OnAck(id, B);
        Assert.Equal(Ms.At(sent + 600), lease.ValidUntil);
        Assert.Equal(valid, lease.IsValid(Ms.At(probe)));
        Assert.Equal(valid ? Ms.At(sent + 600 - probe) : TimeSpan.Zero, lease.Remaining(Ms.At(probe)));
    }

    [Fact]
    public void A_newer_renewal_extends_and_an_older_one_acked_later_does_not_shorten()
    {
        var lease = Lease();
        var first = lease.NextRenewal(Ms.At(0));
        var second = lease.NextRenewal(Ms.At(150));
        lease.OnAck(second, A);
        Assert.True(lease.OnAck(second, C));
        Assert.Equal(Ms.At(750), lease.ValidUntil);
        lease.OnAck(first, A);
        Assert.False(lease.OnAck(first, B));
        Assert.Equal(Ms.At(750), lease.ValidUntil);
    }

    [Fact]
    public void Renewals_older_than_the_lease_time_are_forgotten_and_their_acks_ignored()
    {
        var lease = Lease();
        var old = lease.NextRenewal(Ms.At(0));
        lease.NextRenewal(Ms.At(600));
        lease.OnAck(old, A);
        lease.OnAck(old, B);
        Assert.Null(lease.ValidUntil);
    }

    [Fact]
    public void Memory_stays_bounded_when_no_ack_ever_comes()
    {
        var lease = Lease();
        var most = 0;
        for (var i = 0; i < 10_000; i++)
        {
            lease.NextRenewal(Ms.At(i * 150));
            most = Math.Max(most, lease.PendingCount);
        }
        // Only renewals sent within the last lease-time can still extend the lease.
        Assert.Equal(600 / 150, most);
    }

    [Fact]
    public void Renewal_ids_strictly_increase_even_within_one_tick()
    {
        var lease = Lease();
        var ids = new[] { lease.NextRenewal(Ms.At(5)), lease.NextRenewal(Ms.At(5)), lease.NextRenewal(Ms.At(5)), lease.NextRenewal(Ms.At(6)) };
        Assert.Equal(ids.OrderBy(i => i).Distinct(), ids);
        Assert.Throws<ArgumentException>(() => lease.NextRenewal(Ms.At(4)));
    }

    [Fact]
    public void An_ack_meant_for_an_earlier_incarnation_never_matches_a_later_renewal()
    {
        // Same node, same epoch, process restarted: ids are send times, so the old ids are all in the past.
        var before = Lease();
        var oldIds = Enumerable.Range(0, 4).Select(i => before.NextRenewal(Ms.At(100 + i * 150))).ToList();
        var after = Lease();
        var id = after.NextRenewal(Ms.At(800));
        Assert.DoesNotContain(id, oldIds);
        foreach (var old in oldIds)
        {
            after.OnAck(old, A);
            after.OnAck(old, B);
        }
        Assert.Null(after.ValidUntil);
    }

    [Fact]
    public void The_voter_list_must_match_the_configured_count()
    {
        var settings = new LeaseSettings(3);
        var e = Assert.Throws<ArgumentException>(() => new OwnerLease(settings, 1, [A, B, B]));
        Assert.Contains("2 distinct voters but the settings say 3", e.Message);
        Assert.Throws<ArgumentException>(() => new OwnerLease(settings, 1, Five));
    }

    [Theory]
    [InlineData(NackReason.StaleEpoch, 8L, true)]
    [InlineData(NackReason.PromisedToOther, 8L, true)]
    [InlineData(NackReason.StaleEpoch, 7L, false)]
    [InlineData(NackReason.PromisedToOther, 7L, false)]
    [InlineData(NackReason.PromisedToOther, 6L, false)]
    [InlineData(NackReason.PromisedToOther, null, false)]
    [InlineData(NackReason.Restarting, 9L, false)]
    [InlineData(NackReason.Released, 9L, false)]
    // A voter with other settings: a valid lease is kept whatever epoch that voter reports.
    [InlineData(NackReason.SettingsDiffer, 9L, false)]
    public void A_nack_makes_the_owner_give_up_only_when_it_names_a_higher_epoch(NackReason reason, long? known, bool giveUp)
    {
        var lease = Lease(epoch: 7);
        var id = lease.NextRenewal(Ms.At(0));
        lease.OnAck(id, A);
        lease.OnAck(id, B);
        Assert.Equal(giveUp, lease.OnNack(id, C, reason, known));
        Assert.Equal(giveUp, lease.IsEnded);
        Assert.Equal(!giveUp, lease.IsValid(Ms.At(1)));
    }

    [Fact]
    public void A_higher_epoch_ends_the_lease_even_with_an_unknown_renewal_id()
    {
        var lease = Lease(epoch: 7);
        Assert.True(lease.OnNack(-42, A, NackReason.StaleEpoch, 9));
    }

    [Fact]
    public void An_ended_lease_stays_ended()
    {
        var lease = Lease();
        var id = lease.NextRenewal(Ms.At(0));
        lease.OnAck(id, A);
        lease.End();
        Assert.False(lease.OnAck(id, B));
        Assert.False(lease.IsValid(Ms.At(1)));
        Assert.Null(lease.ValidUntil);
        Assert.False(lease.OnNack(id, C, NackReason.StaleEpoch, 99));
        Assert.Throws<InvalidOperationException>(() => lease.NextRenewal(Ms.At(2)));
    }
}
