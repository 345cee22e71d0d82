using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.Event;

namespace ActorVip.Tests.Actors;

/// <summary>
/// The agent's renewals carry its lease fingerprint to a real voter (issue 13 §2.3): a voter with another lease-time
/// refuses, the owner never holds on its ack, does not give up, and says once which setting differs, with both values.
/// </summary>
public class SettingsRefusalTests : VirtualTimeTestKit
{
    private const string Vip = "192.0.2.100";
    private static readonly LeaseSettings Lease = new(1);

    [Theory]
    [InlineData(700, true)]
    [InlineData(5000, false)]
    public void A_voter_with_another_lease_time_never_grants_and_the_owner_says_which_setting_differs(int voterLeaseMs, bool holds)
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
            new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Vip])));
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var voterLease = new LeaseSettings(1, TimeSpan.FromMilliseconds(voterLeaseMs));
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var kernel = new KernelRecorder();
        var allocator = CreateTestProbe();
        var voter = Sys.ActorOf(VoterActor.Props(voterLease, self, Clock, LeaseFingerprint.Of(voterLease, [self])), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, Clock,
            allocator, LeaseFingerprint.Of(Lease, [self])), NodeAgent.Name);
        Started(voter, agent);

        agent.Tell(new Assign(Vip, 1));
        for (var i = 0; i < 600; i++) Scheduler.Advance(TimeSpan.FromMilliseconds(10)); // 6 s: past both quiet periods (800, 5100 ms)

        Assert.Equal(holds, kernel.HasAddress(Vip + "/32"));
        var said = new List<string>();
        while (warnings.HasMessages) said.Add(warnings.ExpectMsg<Warning>().Message.ToString()!);
        var owner = said.Where(m => m.Contains("a voter refuses this node's lease renewals", StringComparison.Ordinal)
            && m.Contains("vip=" + Vip, StringComparison.Ordinal)).ToList();
        var voterSide = said.Where(m => m.Contains("refusing every lease renewal of an owner", StringComparison.Ordinal)).ToList();
        if (holds)
        {
            Assert.Empty(owner);
            Assert.Empty(voterSide);
            return;
        }
        // Once, for about 24 refused renewals; naming the setting and both values.
        Assert.Contains("lease.lease-time: 700ms here, 5000ms there", Assert.Single(owner));
        Assert.Single(voterSide);
        // A settings refusal is not a reason to give up: the allocator hears no release.
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }
}
