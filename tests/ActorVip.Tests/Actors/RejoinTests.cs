using ActorVip.Messages.Ownership;
using ActorVip.Node.Cli;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A node the cluster removed joins again in the same process (RunCommand): its new voter takes over the old one's
/// votes and needs no quiet period, which exists only for a voter that cannot know what it promised; and the rejoins
/// are bounded, so that a node downed over and over leaves its restart to the service manager.
/// </summary>
public class RejoinTests : VirtualTimeTestKit
{
    private static readonly LeaseSettings Lease = new(1);
    private static readonly NodeId Owner = new("akka.tcp://actorvip@192.0.2.12:4053");

    [Fact]
    public void A_voter_that_keeps_the_previous_systems_votes_answers_at_once_and_keeps_its_promises()
    {
        var self = new NodeId("akka.tcp://actorvip@192.0.2.11:4053");
        var votes = new VoterState(Lease, Clock.Now);
        Scheduler.Advance(Lease.PromiseTime + TimeSpan.FromMilliseconds(10));
        Assert.True(votes.OnRenew("192.0.2.100", Owner, 3, Clock.Now).IsAck); // promised by the first system's voter

        var kept = Sys.ActorOf(VoterActor.Props(Lease, self, Clock, kept: votes), "kept");
        kept.Tell(new Renew("192.0.2.100", 4, new NodeId("akka.tcp://actorvip@192.0.2.13:4053"), 1));
        // Not quiet: it refuses the other owner because it remembers its promise, not because it restarted.
        Assert.Equal(NackReason.PromisedToOther, ExpectMsg<RenewNack>(TimeSpan.FromSeconds(5)).Reason);

        var fresh = Sys.ActorOf(VoterActor.Props(Lease, self, Clock), "fresh");
        fresh.Tell(new Renew("192.0.2.100", 4, Owner, 1));
        Assert.Equal(NackReason.Restarting, ExpectMsg<RenewNack>(TimeSpan.FromSeconds(5)).Reason);
    }

    [Fact]
    public void Rejoins_are_bounded_per_window()
    {
        var policy = new RejoinPolicy();
        var t = new DateTime(2026, 12, 5, 9, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < RejoinPolicy.MaxRejoins; i++)
            Assert.True(policy.MayRejoin(t.AddSeconds(i)));
        Assert.False(policy.MayRejoin(t.AddSeconds(10)));
        // A minute after the first, the window has room again.
        Assert.True(policy.MayRejoin(t + RejoinPolicy.Window));
    }
}
