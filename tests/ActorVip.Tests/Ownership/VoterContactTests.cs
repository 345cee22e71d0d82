using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class VoterContactTests
{
    // renew-interval 250 ms: the window is 500 ms, shorter than the 700 ms lease.
    private static readonly LeaseSettings Settings = new(3);
    private static readonly NodeId A = new("a");
    private static readonly NodeId B = new("b");

    [Fact]
    public void A_voter_counts_for_two_renew_intervals_after_its_answer()
    {
        var contact = new VoterContact(Settings);
        Assert.Equal(0, contact.Connected(Ms.At(0)));
        contact.Answered(A, Ms.At(100));
        contact.Answered(B, Ms.At(300));
        Assert.Equal(2, contact.Connected(Ms.At(600)));
        Assert.Equal(1, contact.Connected(Ms.At(601)));
        Assert.Equal(0, contact.Connected(Ms.At(801)));
    }

    [Fact]
    public void A_later_answer_renews_the_voter_and_the_same_voter_counts_once()
    {
        var contact = new VoterContact(Settings);
        contact.Answered(A, Ms.At(0));
        contact.Answered(A, Ms.At(400));
        Assert.Equal(1, contact.Connected(Ms.At(400)));
        Assert.Equal(1, contact.Connected(Ms.At(900)));
        Assert.Equal(0, contact.Connected(Ms.At(901)));
    }

    [Fact]
    public void The_window_is_shorter_than_a_lease_for_every_valid_timing()
    {
        // An allocator cut off in a minority must stop counting the voters it lost before an owner beyond the cut can
        // look stale to it (a lease-time after the cut): LeaseSettings accepts no renew interval of half the lease or more.
        foreach (var renew in new[] { 50, 100, 250, 300, 349 })
        {
            var settings = new LeaseSettings(3, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(renew), TimeSpan.FromMilliseconds(100));
            var contact = new VoterContact(settings);
            contact.Answered(A, Ms.At(0));
            Assert.Equal(0, contact.Connected(settings.LeaseTime));
        }
    }
}
