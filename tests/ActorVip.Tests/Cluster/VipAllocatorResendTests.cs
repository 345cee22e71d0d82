using System.Runtime.CompilerServices;
using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// The allocator on a one-node cluster (its own voter, a probe as the node's agent): it places the VIP at once and then
/// re-sends the unchanged assignment every <see cref="VipAllocator.ResendInterval"/>, not on every 100 ms tick; it
/// asks its voter only when time can change its answer, not on a fixed tick.
/// </summary>
public sealed class VipAllocatorResendTests(ITestOutputHelper output) : TestKit(OneNodeCluster.Config)
{
    /// <summary>Stands at the voter's path: counts the allocator's questions and passes them to the real voter.</summary>
    private sealed class CountingVoter : ReceiveActor
    {
        public CountingVoter(IActorRef voter, StrongBox<int> asked)
        {
            Receive<GetPromises>(m =>
            {
                Interlocked.Increment(ref asked.Value);
                voter.Forward(m);
            });
            ReceiveAny(m => voter.Forward(m));
        }
    }

    private readonly StrongBox<int> _asked = new();
    /// <summary>Every message that reached the agent's path, as it came (a <see cref="Placements"/> as one).</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<object> _arrived = new();

    /// <summary>Starts a one-node cluster with its voter behind a <see cref="CountingVoter"/>, a probe as agent, and the allocator; returns the first
    /// Assign.</summary>
    private (TestProbe Agent, Assign First) StartAllocator(int vips = 1)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == Akka.Cluster.MemberStatus.Up), TimeSpan.FromSeconds(10));
        var self = new NodeId(cluster.SelfAddress.ToString());
        var lease = new LeaseSettings(1);
        var clock = new MonotonicClock();
        var voter = Sys.ActorOf(VoterActor.Props(lease, self, clock), "real-voter");
        Sys.ActorOf(Props.Create(() => new CountingVoter(voter, _asked)), VoterActor.Name);
        var agent = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new OneNodeCluster.Forward(agent.Ref, _arrived)), AgentPath.Name);
        var specs = vips == 1 ? [new VipSpec("192.0.2.100")] : Enumerable.Range(1, vips).Select(i => new VipSpec($"198.51.100.{i}")).ToList();
        Sys.ActorOf(VipAllocator.Props(specs, lease, [self], TimeSpan.FromMilliseconds(100), clock,
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), VipAllocator.Name);
        return (agent, agent.ExpectMsg<Assign>(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_allocator_asks_its_voter_when_time_can_change_its_answer_not_every_100_ms()
    {
        StartAllocator();
        // The owner (a probe) never renews: its grace runs out once, then only the re-send interval sets the looks.
        var before = Volatile.Read(ref _asked.Value);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var asked = Volatile.Read(ref _asked.Value) - before;
        // A 100 ms tick asks 30 times in 3 s; looks at the grace's end and every 500 ms ask about 7 times. The floor is
        // low because this counts on real time: with the other test classes running beside it on 2 cores, a CI run
        // saw 3 (timers firing late), which is still a look at each re-send, not a tick.
        Assert.InRange(asked, 2, 12);
    }

    [Fact]
    public async Task The_allocator_says_where_each_vip_is_and_why()
    {
        var (_, first) = StartAllocator();
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());

        var report = await Sys.ActorSelection($"/user/{VipAllocator.Name}").Ask<PlacementReport>(GetPlacement.Instance, TimeSpan.FromSeconds(3));

        Assert.Equal(self, report.Allocator);
        // One node, no preference: the VIP was placed by the spread, and stays "spread" while it is kept.
        Assert.Equal([new PlacementEntry("192.0.2.100", self, first.Epoch, "spread")], report.Vips);
    }

    [Fact]
    public void An_owner_that_renews_its_assignment_is_not_sent_it_again()
    {
        var (agent, first) = StartAllocator();
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        var voter = Sys.ActorSelection($"/user/{VoterActor.Name}");
        var renewer = CreateTestProbe();
        // Renew as the owner every 50 ms: a fresh voter acks nobody for lease-time + margin, then confirms. On a thread of its
        // own, not a thread-pool timer: in a full run's first seconds (every test class starting on 2 cores) the pool's
        // timer callbacks came late enough for the voter's promise to lapse, and the allocator rightly re-sent.
        using var stop = new CancellationTokenSource();
        var renewals = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                voter.Tell(new Renew(first.Vip, first.Epoch, self, Environment.TickCount64), renewer.Ref);
                stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
            }
        })
        { IsBackground = true, Name = "renewer" };
        renewals.Start();
        renewer.FishForMessage(m => m is RenewAck, TimeSpan.FromSeconds(10));
        agent.ReceiveWhile(TimeSpan.FromMilliseconds(600), m => m); // re-sends sent before the first ack reached the allocator
        // Confirmed: over 4 s an unconfirmed one is re-sent about 8 times (every 500 ms). Up to 3 are let through: the allocator
        // looks at its voter only when time can change the answer, and a full run on 2 cores once starved the voter or the
        // renewer past a promise (1 re-send at 0.9 s; once 3 in a 2 s window). Still far from the 8 of a broken allocator.
        var resent = agent.ReceiveWhile(TimeSpan.FromSeconds(4), m => m).Count(m => m is Assign);
        stop.Cancel();
        renewals.Join();
        Assert.True(resent <= 3, $"re-sent {resent} times in 4 s to an owner that renews it (about 8 when it does not)");
    }

    [Fact]
    public void An_unchanged_assignment_is_re_sent_every_resend_interval_not_every_tick()
    {
        var (agent, first) = StartAllocator();
        Assert.Equal("192.0.2.100", first.Vip);
        // Over 2 s of 100 ms ticks: about 4 re-sends at 500 ms, where every tick would have made 20.
        var resent = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until)
        {
            if (agent.ReceiveOne(until - DateTime.UtcNow) is Assign again)
            {
                // The same VIP to the same node; the epoch may rise: the probe never renews, so once the acquire grace
                // (1.3 s) has run out the allocator places it again, which a loaded CI machine reached inside the 2 s.
                Assert.Equal(first.Vip, again.Vip);
                Assert.True(again.Epoch >= first.Epoch, $"epoch {again.Epoch} below the first assignment's {first.Epoch}");
                resent++;
            }
        }
        Assert.InRange(resent, 2, 6);
    }

    [Fact]
    public void An_owner_that_gave_up_on_a_higher_epoch_is_placed_again_above_it_not_sent_the_same_epoch()
    {
        // The give-up / re-assign loop (issue 13 §2.4): a voter refused the owner with an epoch the allocator never
        // handed out; re-sending the same assignment is refused the same way, for as long as the allocator keeps it.
        var (agent, first) = StartAllocator();
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        var learnt = first.Epoch + 5;
        Sys.ActorSelection($"/user/{VipAllocator.Name}").Tell(new Released(first.Vip, first.Epoch, self, learnt));
        var next = agent.FishForMessage<Assign>(m => m.Vip == first.Vip, TimeSpan.FromSeconds(5));
        Assert.True(next.Epoch > learnt, $"assigned {next} again after the owner learnt epoch {learnt}");
    }

    [Fact]
    public void A_released_assignment_is_placed_again_at_a_new_epoch_even_without_a_learnt_one()
    {
        // Voters refuse a released epoch from the same owner for a promise-time (VoterState.OnRelease): the same epoch
        // again would only be refused. A node of an older version sends no learnt epoch.
        var (agent, first) = StartAllocator();
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        Sys.ActorSelection($"/user/{VipAllocator.Name}").Tell(new Released(first.Vip, first.Epoch, self));
        var next = agent.FishForMessage<Assign>(m => m.Vip == first.Vip, TimeSpan.FromSeconds(5));
        Assert.True(next.Epoch > first.Epoch, $"assigned {next} again after its owner released it");
    }

    [Fact]
    public void A_node_that_says_it_cannot_serve_loses_its_vip_and_gets_it_back_when_it_can()
    {
        // Issue 14 §2: the only node's VIP interface went down. It is still Up and its voter still answers (the majority
        // holds), but the VIP must leave it; once the link is back it is placed there again.
        var (agent, first) = StartAllocator();
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        var allocator = Sys.ActorSelection($"/user/{VipAllocator.Name}");
        allocator.Tell(new Eligibility(self, false, "interface eth0 has no carrier"));
        var revoke = agent.FishForMessage<Revoke>(m => m.Vip == first.Vip, TimeSpan.FromSeconds(5));
        Assert.True(revoke.Epoch > first.Epoch);
        // Nothing is placed on it while it cannot serve, however often the allocator looks.
        var meanwhile = agent.ReceiveWhile(TimeSpan.FromSeconds(1.5), m => m);
        Assert.DoesNotContain(meanwhile, m => m is Assign);

        allocator.Tell(new Eligibility(self, true, "interface eth0 is up (index 7)"));
        var again = agent.FishForMessage<Assign>(m => m.Vip == first.Vip, TimeSpan.FromSeconds(5));
        Assert.True(again.Epoch > revoke.Epoch);
    }

    [Fact]
    public void A_node_that_cannot_hold_one_of_its_vips_loses_that_one_only_and_gets_it_back_when_it_can()
    {
        // Issue 14 §6: the VIP 198.51.100.2 lives on an interface of its own, which went down; 198.51.100.1 stays.
        var (agent, first) = StartAllocator(vips: 2);
        var second = agent.FishForMessage<Assign>(m => m.Vip != first.Vip, TimeSpan.FromSeconds(10));
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        var allocator = Sys.ActorSelection($"/user/{VipAllocator.Name}");
        allocator.Tell(new Eligibility(self, false, "interface eth1 has no carrier", [second.Vip]));
        var revoke = agent.FishForMessage<Revoke>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal(second.Vip, revoke.Vip);
        // The other VIP is still placed on the node (the probe never renews, so its grace may run out and it is placed anew:
        // still here, the only node), the one of the lost interface never.
        var meanwhile = agent.ReceiveWhile(TimeSpan.FromSeconds(1.5), m => m);
        Assert.DoesNotContain(meanwhile, m => m is Assign a && a.Vip == second.Vip);
        Assert.Contains(meanwhile, m => m is Assign a && a.Vip == first.Vip);

        allocator.Tell(new Eligibility(self, true, "interface eth0 is up (index 2); interface eth1 is up (index 3)"));
        var again = agent.FishForMessage<Assign>(m => m.Vip == second.Vip, TimeSpan.FromSeconds(5));
        Assert.True(again.Epoch > revoke.Epoch);
    }

    [Fact]
    public void A_burst_of_releases_is_one_decision_not_one_per_release()
    {
        // A node handing over (or giving up) 200 VIPs releases them in one burst. One decision per release re-placed one
        // VIP and re-sent all 200 assignments each time: about 40,000 Assigns. One decision for the burst sends about 200.
        const int Vips = 200;
        var (agent, first) = StartAllocator(Vips);
        var self = new NodeId(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString());
        var epochs = new Dictionary<string, long> { [first.Vip] = first.Epoch };
        while (epochs.Count < Vips)
        {
            var assign = agent.ExpectMsg<Assign>(TimeSpan.FromSeconds(10));
            epochs.TryAdd(assign.Vip, assign.Epoch);
        }
        agent.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => m);

        var allocator = Sys.ActorSelection($"/user/{VipAllocator.Name}");
        _arrived.Clear();
        foreach (var (vip, epoch) in epochs)
            allocator.Tell(new Released(vip, epoch, self));
        var replaced = new HashSet<string>();
        var assigns = 0;
        while (replaced.Count < Vips)
        {
            if (agent.ExpectMsg<object>(TimeSpan.FromSeconds(30)) is not Assign assign) continue;
            assigns++;
            if (assign.Epoch > epochs[assign.Vip]) replaced.Add(assign.Vip);
        }
        assigns += agent.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m).Count(m => m is Assign);
        var messages = _arrived.Count;
        output.WriteLine($"{Vips} releases in a burst: {assigns} assignments in {messages} messages");
        // One decision sends 200; a slow machine may split the burst over a few windows, and an unconfirmed re-send
        // (every 500 ms) may fall inside: well under 1,000 either way, against about 40,000 with one decision per release.
        Assert.InRange(assigns, Vips, 1000);
        // And each decision's assignments for the node go in one message (Placements), not one message per VIP: a handful,
        // against 200 or more.
        Assert.InRange(messages, 1, 10);
    }
}
