using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using Akka.Actor;
using Xunit.Abstractions;

namespace ActorVip.Tests.Actors;

/// <summary>
/// Batched renewals (issue 15 §2): an owner renews all of its VIPs in one message per voter per round, and a voter
/// answers a batch in one. Three real voters in one actor system, each behind a counter that sees every message to and
/// from it, on virtual time.
/// </summary>
public class RenewBatchTests(ITestOutputHelper output) : VirtualTimeTestKit
{
    private static readonly LeaseSettings Lease = new(3);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private sealed record Cluster(KernelRecorder Kernel, IActorRef Agent, NodeId Self, IReadOnlyList<IActorRef> Voters, IReadOnlyList<Counter> Counters);

    private Cluster Start(IActorRef allocator, IReadOnlyList<string> vips)
    {
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(),
            new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", vips)));
        var root = ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();
        // A node named ROOT/user/a has its voter at ROOT/user/a/user/voter (VoterActor.PathOf): a counter forwarding to a real voter.
        var names = new[] { "a", "b", "c" };
        var nodes = names.Select(n => new NodeId($"{root}/user/{n}")).ToList();
        var voters = new List<IActorRef>();
        var counters = new List<Counter>();
        for (var i = 0; i < names.Length; i++)
        {
            var voter = Sys.ActorOf(VoterActor.Props(Lease, nodes[i], Clock), "voter-" + names[i]);
            var counter = new Counter();
            var counting = Props.Create(() => new CountingVoter(voter, counter));
            Sys.ActorOf(Props.Create(() => new Nest("user", Props.Create(() => new Nest(VoterActor.Name, counting)))), names[i]);
            voters.Add(voter);
            counters.Add(counter);
        }
        var kernel = new KernelRecorder();
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], new DriverSet(new NoLinks(), kernel, kernel, kernel), Lease, nodes, nodes[0],
            Clock, allocator), NodeAgent.Name);
        Started([.. voters, agent]);
        foreach (var node in nodes)
        {
            Sys.ActorSelection(VoterActor.PathOf(node)).Tell(new Identify(node.Value));
            Assert.NotNull(ExpectMsg<ActorIdentity>(i => Equals(i.MessageId, node.Value)).Subject);
        }
        return new Cluster(kernel, agent, nodes[0], voters, counters);
    }

    private static IReadOnlyList<string> Vips(int count) => Enumerable.Range(1, count).Select(i => $"192.0.2.{i}").ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_owner_sends_one_renewal_message_per_voter_per_round_whatever_the_number_of_its_vips(int count)
    {
        var vips = Vips(count);
        var c = Start(CreateTestProbe(), vips);
        foreach (var vip in vips) c.Agent.Tell(new Assign(vip, 1));
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 2);

        foreach (var counter in c.Counters) counter.Clear();
        const int rounds = 8;
        for (var i = 0; i < rounds * (int)(Lease.RenewInterval / Step); i++) Scheduler.Advance(Step);

        foreach (var counter in c.Counters)
        {
            Assert.Equal(rounds, counter.In.Count);
            // Every round renews every VIP at that voter.
            Assert.All(counter.In, m => Assert.Equal(vips, Assert.IsType<RenewBatch>(m).Items.Select(i => i.Vip).Order()));
            // At most one answer per round, only when an ack was wanted from this voter.
            Assert.InRange(counter.Out.Count, 0, rounds);
        }
        Assert.All(vips, v => Assert.True(c.Kernel.HasAddress(v + "/32")));
    }

    /// <summary>
    /// A failover places hundreds of VIPs here in one burst of assignments. Each acquisition renews every VIP placed here, so
    /// a round per assignment sent n(n+1)/2 items to every voter (1,000 VIPs: half a million, and as many answers), which
    /// kept 3 real nodes with 1,000 VIPs from ever settling (docs/BENCHMARKS.md, "1,000 VIPs over real processes").
    /// </summary>
    [Fact]
    public void A_burst_of_assignments_is_acquired_in_one_renewal_round()
    {
        var vips = Vips(200);
        var allocator = CreateTestProbe();
        var c = Start(allocator, vips);
        c.Agent.Tell(new Placements([], vips.Select(v => new Assign(v, 1)).ToList()));
        Scheduler.Advance(NodeAgent.AcquireRetry - TimeSpan.FromMilliseconds(1)); // before any retry

        foreach (var counter in c.Counters)
        {
            var batch = Assert.IsType<RenewBatch>(Assert.Single(counter.In));
            Assert.Equal(vips.Order(), batch.Items.Select(i => i.Vip).Order());
        }
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 2);
    }

    /// <summary>
    /// Each holder used to re-open its fence element on every renewal and re-add its address every check-interval: with 1,000
    /// VIPs thousands of netlink round trips a second on the actor loop, whose stalls cost leases (docs/BENCHMARKS.md, "1,000
    /// VIPs over real processes"). The agent now refreshes the fences of all of them in one call per round that extended
    /// their leases, and their addresses in one call per check at which they are old enough to need it (every second check at
    /// the default 2 s lifetime and 500 ms check-interval, <see cref="AddressSettings.RefreshAfter"/>).
    /// </summary>
    [Fact]
    public void An_owner_refreshes_the_fences_of_all_its_vips_in_one_call_per_round_and_their_addresses_in_one_per_check()
    {
        var vips = Vips(200);
        var allocator = CreateTestProbe();
        var c = Start(allocator, vips);
        c.Agent.Tell(new Placements([], vips.Select(v => new Assign(v, 1)).ToList()));
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 2);
        for (var i = 0; i < (int)(Lease.RenewInterval / Step); i++) Scheduler.Advance(Step);
        var before = c.Kernel.Calls.Count;

        const int rounds = 8; // 2 s: 4 address checks (500 ms), 2 of them re-adding
        for (var i = 0; i < rounds * (int)(Lease.RenewInterval / Step); i++) Scheduler.Advance(Step);

        var calls = c.Kernel.Calls.Skip(before).Where(x => !x.StartsWith("announce", StringComparison.Ordinal)).ToList();
        var opens = calls.Where(x => x.StartsWith("own ", StringComparison.Ordinal)).ToList();
        var adds = calls.Where(x => x.StartsWith("add ", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{rounds} rounds, 200 VIPs: {opens.Count} fence calls, {adds.Count} address calls, {calls.Count} kernel calls in all");
        // One per answer that extended the leases: at most one per voter asked for an ack.
        Assert.InRange(opens.Count, rounds, 2 * rounds);
        Assert.All(opens, o => Assert.Equal(200, o.Split("; ").Length));
        Assert.InRange(adds.Count, 1, 3);
        Assert.All(adds, a => Assert.Equal(200, a.Split(' ')[1].Split(',').Length));
        Assert.Equal(opens.Count + adds.Count, calls.Count);
        Assert.All(vips, v => Assert.True(c.Kernel.HasAddress(v + "/32")));
    }

    /// <summary>
    /// A failover or a start grants hundreds of VIPs in one answer, and each holder opened its fence and added its address
    /// itself, one after the other: with 500 VIPs the last was answered ~300 ms after the first (docs/BENCHMARKS.md). The
    /// agent puts all VIPs granted together in the kernel in one fence call and one address call, fence first, before any
    /// holder starts and announces; a graceful stop silences all of them in one of each before any release.
    /// </summary>
    [Fact]
    public void Vips_granted_together_go_into_the_kernel_in_one_call_each_and_a_graceful_stop_takes_them_out_the_same_way()
    {
        var vips = Vips(200);
        var allocator = CreateTestProbe();
        var c = Start(allocator, vips);
        c.Agent.Tell(new Placements([], vips.Select(v => new Assign(v, 1)).ToList()));
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 2);

        // The renewal-time events of a round: one event for the answer that extended all 200 leases, not one per VIP.
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events, typeof(LeaseRenewalsAcked));
        Sys.EventStream.Subscribe(events, typeof(LeaseRenewalAcked));
        AdvanceUntil(() => events.HasMessages, Lease.RenewInterval * 2);
        Assert.Equal(200, events.ExpectMsg<LeaseRenewalsAcked>().Items.Count);
        var acquired = c.Kernel.Calls.TakeWhile(x => !x.StartsWith("announce", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, acquired.Count);
        Assert.StartsWith("own ", acquired[0]);
        Assert.Equal(200, acquired[0].Split("; ").Length);
        Assert.Equal($"add {string.Join(",", vips.Select(v => v + "/32"))} lifetime=2", acquired[1]);
        Assert.Equal(200, c.Kernel.Count("announce"));

        var before = c.Kernel.Calls.Count;
        c.Agent.Tell(new Messages.Agent.ReleaseAll("test"));
        ExpectMsg<Messages.Agent.AllReleased>(TimeSpan.FromSeconds(5));
        var released = c.Kernel.Calls.Skip(before).Where(x => !x.StartsWith("announce", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"disown {string.Join(",", vips)}", $"remove {string.Join(",", vips.Select(v => v + "/32"))}"], released);
        Assert.All(vips, v => Assert.False(c.Kernel.HasAddress(v + "/32")));
        // The releases went out only after that, all of them in one message to every voter (one per VIP and voter was 600).
        Assert.All(c.Counters, counter =>
            Assert.Equal(vips, Assert.IsType<ReleaseBatch>(Assert.Single(counter.In, m => m is ReleaseLease or ReleaseBatch)).Items.Select(i => i.Vip)));
        // And the allocator heard that the node leaves, then of every VIP it gave up, in one message.
        var told = allocator.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m is Leaving or Released or ReleasedBatch ? m : null);
        Assert.IsType<Leaving>(told[0]);
        Assert.Equal(vips, Assert.IsType<ReleasedBatch>(Assert.Single(told.Skip(1))).Items.Select(r => r.Vip));
    }

    /// <summary>
    /// The acquisition round of a newly placed VIP carries only the VIPs still being acquired: one of every placed VIP per
    /// acquisition window re-sent the held ones every few milliseconds while a burst of assignments came in.
    /// </summary>
    [Fact]
    public void An_acquisition_round_carries_only_the_vips_being_acquired()
    {
        var vips = Vips(201);
        var c = Start(CreateTestProbe(), vips);
        foreach (var vip in vips.Take(200)) c.Agent.Tell(new Assign(vip, 1));
        AdvanceUntil(() => vips.Take(200).All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 2);
        // Just after a periodic round, so that the next round within the acquisition window is the acquisition's.
        AdvanceUntil(() => c.Counters[0].In.Count > 0 && c.Counters[0].In[^1] is RenewBatch { Items.Count: 200 } && Consume(c), Lease.RenewInterval * 2,
            TimeSpan.FromMilliseconds(1));

        c.Agent.Tell(new Assign(vips[200], 1));
        Scheduler.Advance(NodeAgent.AcquireWindow);

        foreach (var counter in c.Counters)
            Assert.Equal([vips[200]], Assert.IsType<RenewBatch>(Assert.Single(counter.In)).Items.Select(i => i.Vip));
    }

    private static bool Consume(Cluster c)
    {
        foreach (var counter in c.Counters) counter.Clear();
        return true;
    }

    [Fact]
    public void A_voter_refusing_one_vip_of_a_batch_makes_only_that_vips_lease_give_up()
    {
        var allocator = CreateTestProbe();
        var vips = Vips(3);
        var c = Start(allocator, vips);
        // Voter c has seen 192.0.2.2 placed elsewhere at epoch 9 (remembered even while it is quiet after its start).
        c.Voters[2].Tell(new Renew("192.0.2.2", 9, new NodeId("akka.tcp://actorvip@192.0.2.13:4053"), 1, AckWanted: false));
        foreach (var vip in vips) c.Agent.Tell(new Assign(vip, 1));
        Scheduler.Advance(NodeAgent.AcquireWindow); // the acquisition's first renewal round

        var released = allocator.FishForMessage<Released>(m => m is Released, TimeSpan.FromSeconds(5));
        Assert.Equal(("192.0.2.2", 1L, c.Self, 9L), (released.Vip, released.Epoch, released.Owner, released.LearntEpoch));
        AdvanceUntil(() => c.Kernel.HasAddress("192.0.2.1/32") && c.Kernel.HasAddress("192.0.2.3/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        for (var i = 0; i < (int)(Lease.PromiseTime / Step); i++) Scheduler.Advance(Step); // in steps: one jump would outrun the renewals
        Assert.False(c.Kernel.HasAddress("192.0.2.2/32"));
        Assert.True(c.Kernel.HasAddress("192.0.2.1/32") && c.Kernel.HasAddress("192.0.2.3/32"));
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        // The refusal came in a batch's answers, naming its VIP, and the VIP given up is no longer renewed.
        Assert.Contains(c.Counters[2].Out, m => m is RenewAnswers a && a.Items.Any(i => i.Vip == "192.0.2.2" && i.Refusal == NackReason.StaleEpoch));
        Assert.All(c.Counters[0].In.TakeLast(2), m => Assert.DoesNotContain(((RenewBatch)m).Items, i => i.Vip == "192.0.2.2"));
    }

    [Fact]
    public void A_voter_promised_to_another_owner_for_one_vip_does_not_count_for_it_and_the_others_still_make_the_majority()
    {
        var allocator = CreateTestProbe();
        var vips = Vips(3);
        var c = Start(allocator, vips);
        Scheduler.Advance(Lease.PromiseTime + Step); // past the voters' quiet period
        // Voter c promised 192.0.2.2 to another owner at the same epoch: it refuses, without a higher epoch to give up for.
        var other = new NodeId("akka.tcp://actorvip@192.0.2.13:4053");
        c.Voters[2].Tell(new Renew("192.0.2.2", 1, other, 1, AckWanted: false));
        foreach (var vip in vips) c.Agent.Tell(new Assign(vip, 1));
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.RenewInterval * 2);
        Assert.Contains(c.Counters[2].Out, m => m is RenewAnswers a && a.Items.Any(i => i.Vip == "192.0.2.2" && i.Refusal == NackReason.PromisedToOther));
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    /// <summary>
    /// Prints renewal messages per second (owner to voters and back) for 1, 50 and 200 VIPs on one owner with 3 voters, on
    /// virtual time; docs/BENCHMARKS.md records the numbers. No assertion on them.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(200)]
    public void Renewal_messages_per_second(int count)
    {
        var vips = Vips(count);
        var c = Start(CreateTestProbe(), vips);
        foreach (var vip in vips) c.Agent.Tell(new Assign(vip, 1));
        AdvanceUntil(() => vips.All(v => c.Kernel.HasAddress(v + "/32")), Lease.PromiseTime + Lease.RenewInterval * 4);
        foreach (var counter in c.Counters) counter.Clear();
        var seconds = 10;
        for (var i = 0; i < seconds * 100; i++) Scheduler.Advance(Step);
        var sent = c.Counters.Sum(x => x.In.Count);
        var answered = c.Counters.Sum(x => x.Out.Count);
        var items = c.Counters.Sum(x => x.In.Sum(m => m is RenewBatch b ? b.Items.Count : 1));
        output.WriteLine($"vips={count} voters=3 renewal-messages/s={sent / (double)seconds:F1} answer-messages/s={answered / (double)seconds:F1} " +
            $"renewed-items/s={items / (double)seconds:F1}");
    }

    /// <summary>What went to and came from one voter, in order (the actors run on the test's thread, the lock is for their start).</summary>
    private sealed class Counter
    {
        private readonly object _gate = new();
        private readonly List<object> _in = new();
        private readonly List<object> _out = new();

        public IReadOnlyList<object> In
        {
            get { lock (_gate) return _in.ToList(); }
        }

        public IReadOnlyList<object> Out
        {
            get { lock (_gate) return _out.ToList(); }
        }

        public void AddIn(object m)
        {
            lock (_gate) _in.Add(m);
        }

        public void AddOut(object m)
        {
            lock (_gate) _out.Add(m);
        }

        public void Clear()
        {
            lock (_gate)
            {
                _in.Clear();
                _out.Clear();
            }
        }
    }

    /// <summary>Forwards the owner's renewals to the real voter and its answers back, counting both.</summary>
    private sealed class CountingVoter : ReceiveActor
    {
        private IActorRef _owner = ActorRefs.Nobody;

        public CountingVoter(IActorRef voter, Counter counter)
        {
            ReceiveAny(m =>
            {
                if (Sender.Equals(voter))
                {
                    counter.AddOut(m);
                    _owner.Tell(m, Self);
                    return;
                }
                if (m is Renew or RenewBatch or ReleaseLease or ReleaseBatch) counter.AddIn(m);
                if (m is Renew or RenewBatch) _owner = Sender;
                voter.Tell(m, Self);
            });
        }
    }

    /// <summary>Makes a path: one child of the given name and props.</summary>
    private sealed class Nest : UntypedActor
    {
        public Nest(string name, Props child) => Context.ActorOf(child, name);

        protected override void OnReceive(object message) => Unhandled(message);
    }
}
