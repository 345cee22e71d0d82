using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// Why a VIP left a node that said it cannot serve, as `actorvip status` shows it (the allocator's <see cref="PlacementReport"/>):
/// <c>fence</c> when the node's kernel fence can be neither refreshed nor installed again, <c>link</c> when its VIP interface is
/// down. A user reading <c>link</c> looks at the cable, not the firewall. Two cluster members on loopback with reference.conf's
/// serializers: the allocator and its voter on this one, the owner a stand-in agent on the other, whose
/// <see cref="Eligibility"/> crosses the wire in its binary form as a real node's does. Also the allocator's side of live
/// reconfiguration (issue 14 §5): it places a VIP only on a node that declares it (<see cref="VipDeclaration"/>, over the wire too).
/// </summary>
public sealed class VipAllocatorReasonTests() : TestKit(Config)
{
    private const string Vip = "192.0.2.100";
    private const string Rack = "198.51.100.10";
    private const string FenceReason = "the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: nftables table ip " +
        "actorvip exists and ActorVip did not make it";

    private static Akka.Configuration.Config Config => OneNodeCluster.Config.WithFallback(ConfigSources.Reference());

    private ActorSystem? _member;
    private readonly CancellationTokenSource _stop = new();
    /// <summary>The VIPs the stand-in owner renews, and at which epoch.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _renewing = new();

    protected override void AfterAll()
    {
        _stop.Cancel();
        _member?.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    [Fact]
    public async Task A_vip_moved_off_a_node_whose_fence_is_broken_says_fence_and_one_moved_for_its_link_says_link()
    {
        var (owner, ownerId, self) = StartCluster();
        var placed = await owner.FishForMessageAsync<Assign>(m => m.Vip == Vip, TimeSpan.FromSeconds(20));
        KeepRenewing(ownerId, Vip, placed.Epoch);

        // The owner's fence broke for good: as its agent says it (every VIP of it named, for an allocator before the cause).
        Say(new Eligibility(ownerId, false, FenceReason, [Vip], IneligibleCause.Fence));
        var moved = await PlacedAsync(e => e.Owner == self && e.Epoch > placed.Epoch);
        Assert.Equal("fence", moved.Reason);

        // Installed again: the VIP leaves the allocator's node for it again, and this time its interface goes down.
        Say(new Eligibility(ownerId, true, "the kernel fence is installed"));
        var back = await owner.FishForMessageAsync<Assign>(m => m.Vip == Vip && m.Epoch > moved.Epoch, TimeSpan.FromSeconds(10));
        KeepRenewing(ownerId, Vip, back.Epoch);
        Say(new Eligibility(ownerId, false, "interface eth1 has no carrier"));
        var again = await PlacedAsync(e => e.Owner == self && e.Epoch > back.Epoch);
        Assert.Equal("link", again.Reason);
    }

    [Fact]
    public async Task A_vip_only_the_other_member_declares_is_placed_there_and_taken_back_once_it_no_longer_declares_it()
    {
        var (owner, ownerId, self) = StartCluster();
        var placed = await AssignedAsync(owner, Vip);
        KeepRenewing(ownerId, Vip, placed.Epoch);

        // The other member reloaded with a VIP of its own rack, which the allocator's node is not configured for.
        Say(VipSpecs.Declaration(ownerId, [new VipSpec(Vip), new VipSpec(Rack)]));
        var rack = await AssignedAsync(owner, Rack);
        KeepRenewing(ownerId, Rack, rack.Epoch);
        Assert.Equal(ownerId, (await PlacedAsync(e => e.Owner is not null, Rack)).Owner);

        // Its owner is the only node that declares it: once it fails, nobody gets it (not the allocator's node, however eligible).
        Say(new Eligibility(ownerId, false, "interface eth1 has no carrier", [Rack]));
        Assert.Null((await PlacedAsync(e => e.Owner is null, Rack)).Owner);
        Say(new Eligibility(ownerId, true, "interface eth1 is up"));
        rack = await AssignedAsync(owner, Rack);
        KeepRenewing(ownerId, Rack, rack.Epoch);

        // Reloaded without it: taken back (its agent released it already), and the unchanged VIP stays where it was, same epoch.
        Say(VipSpecs.Declaration(ownerId, [new VipSpec(Vip)]));
        await owner.FishForMessageAsync<Revoke>(r => r.Vip == Rack, TimeSpan.FromSeconds(10));
        Assert.Null((await PlacedAsync(e => e.Owner is null, Rack)).Owner);
        var kept = await PlacedAsync(_ => true);
        Assert.Equal((ownerId, placed.Epoch), (kept.Owner, kept.Epoch));
    }

    /// <summary>The assignment of <paramref name="vip"/> to the stand-in agent (which hands a <see cref="Placements"/> on as its Assigns).</summary>
    private static ValueTask<Assign> AssignedAsync(TestProbe agent, string vip) =>
        agent.FishForMessageAsync<Assign>(a => a.Vip == vip, TimeSpan.FromSeconds(20));

    /// <summary>This system (allocator, voter, a stand-in agent) and a second member with a stand-in agent; returns the second's probe.</summary>
    private (TestProbe Owner, NodeId OwnerId, NodeId Self) StartCluster()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        var member = ActorSystem.Create(Sys.Name, Config);
        _member = member;
        var owner = CreateTestProbe(member);
        member.ActorOf(Props.Create(() => new OneNodeCluster.Forward(owner.Ref)), AgentPath.Name);
        Akka.Cluster.Cluster.Get(member).Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2, TimeSpan.FromSeconds(20));

        var self = new NodeId(cluster.SelfAddress.ToString());
        var lease = new LeaseSettings(1);
        var clock = new MonotonicClock();
        Sys.ActorOf(VoterActor.Props(lease, self, clock), VoterActor.Name);
        Sys.ActorOf(Props.Create(() => new OneNodeCluster.Forward(CreateTestProbe().Ref)), AgentPath.Name);
        // The allocator's node gives its VIPs away (away-from-allocator): the VIP goes to the other member.
        Sys.ActorOf(VipAllocator.Props([new VipSpec(Vip)], lease, [self], TimeSpan.FromMilliseconds(100), clock,
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), VipAllocator.Name);
        return (owner, new NodeId(Akka.Cluster.Cluster.Get(member).SelfAddress.ToString()), self);
    }

    /// <summary>
    /// Renews <paramref name="vip"/> (and every VIP given before) as <paramref name="owner"/> at <paramref name="epoch"/> every 100 ms, so that
    /// it is no lost owner meanwhile.
    /// </summary>
    private void KeepRenewing(NodeId owner, string vip, long epoch)
    {
        var first = _renewing.IsEmpty;
        _renewing[vip] = epoch;
        if (!first) return;
        var voter = Sys.ActorSelection($"/user/{VoterActor.Name}");
        var answers = CreateTestProbe();
        // A thread of its own, not a pool timer: on a loaded machine those come late enough for the promise to lapse.
        new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var (vip, epoch) in _renewing) voter.Tell(new Renew(vip, epoch, owner, Environment.TickCount64), answers.Ref);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
            }
        })
        { IsBackground = true, Name = "renewer" }.Start();
    }

    /// <summary>Sends <paramref name="message"/> from the other member's system to the allocator: over the wire.</summary>
    private void Say(object message) =>
        _member!.ActorSelection($"{Akka.Cluster.Cluster.Get(Sys).SelfAddress}/user/{VipAllocator.Name}").Tell(message);

    /// <summary>The allocator's entry for the VIP once it satisfies <paramref name="placed"/>.</summary>
    private async Task<PlacementEntry> PlacedAsync(Func<PlacementEntry, bool> placed, string vip = Vip)
    {
        var allocator = Sys.ActorSelection($"/user/{VipAllocator.Name}");
        PlacementEntry? entry = null;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            var report = await allocator.Ask<PlacementReport>(GetPlacement.Instance, TimeSpan.FromSeconds(3));
            // A VIP no node declares any more is forgotten once taken back: as good as unplaced.
            entry = report.Vips.SingleOrDefault(e => e.Vip == vip) ?? new PlacementEntry(vip, null, 0, "unplaced");
            if (placed(entry)) return entry;
            await Task.Delay(50);
        }
        Assert.Fail($"the VIP was not placed as expected within 10 s: {entry}");
        return entry!;
    }
}
