using ActorVip.Messages.Agent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Node.Ipvs;
using ActorVip.Ownership;
using ActorVip.Ownership.Actors;
using ActorVip.Tests.LoadBalancing;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A leaving owner silences the VIP (fence closed, address removed, the kernel said yes) before any ReleaseLease leaves,
/// and sends none when silencing failed or ended after its lease: a release frees the voters for a successor at once.
/// The holder's children (the announcer, with load balancing the IpvsActor) run on a real dispatcher here, as the
/// IpvsActor does on the blocking pool: stopping the holder is then asynchronous, as on a node, and the agent cannot get
/// the order right by accident.
/// </summary>
public class ReleaseOrderTests() : VirtualTimeTestKit(
    // Akka's deployment lookup prefers a named path element to a wildcard and does not fall back: the agent and its
    // holder must be named here too, or they leave the calling thread with their children.
    """
    akka.actor.deployment {
      "/agent".dispatcher = akka.test.calling-thread-dispatcher
      "/agent/*".dispatcher = akka.test.calling-thread-dispatcher
      "/agent/*/*".dispatcher = akka.actor.default-dispatcher
    }
    """)
{
    private const string Vip = "192.0.2.100";
    private static readonly LeaseSettings Lease = new(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public static TheoryData<string> GiveUpPaths => ["release-all", "revoke", "higher-epoch"];

    /// <param name="stuckAnnounce">When given, the holder's announcer sets Sending in its first send and waits there until Released is set:
    /// the holder cannot stop meanwhile.</param>
    private (KernelRecorder Kernel, IActorRef Agent, IActorRef Voter, NodeId Self) Start(IActorRef allocator, IMonotonicClock? clock = null,
        (ManualResetEventSlim Sending, ManualResetEventSlim Released)? stuckAnnounce = null, LoadBalancerDrivers? loadBalancer = null)
    {
        clock ??= Clock;
        var overrides = new HoconOverrides().Set("actorvip.interface", "eth0").SetList("actorvip.addresses", [Vip]);
        if (loadBalancer is not null)
            overrides.Set("actorvip.lb.enabled", "on").Set("actorvip.lb.fwdmethod", "masquerade").SetList("actorvip.lb.backends", ["198.51.100.1:6443"]);
        var settings = SettingsReader.Read(ConfigSources.Compose(null, new System.Collections.Hashtable(), overrides));
        var self = new NodeId(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString());
        var kernel = new KernelRecorder();
        if (stuckAnnounce is var (sending, released))
        {
            kernel.DuringAnnounce = () =>
            {
                sending.Set();
                released.Wait(TimeSpan.FromSeconds(30));
            };
        }
        // The voter behind a spy that writes each ReleaseLease it receives into the kernel's call log: one order for both.
        var voter = Sys.ActorOf(Props.Create(() => new SpyVoter(VoterActor.Props(Lease, self, clock), kernel)), VoterActor.Name);
        var drivers = new DriverSet(new NoLinks(), kernel, kernel, kernel, loadBalancer);
        var agent = Sys.ActorOf(NodeAgent.Props(settings, [KernelRecorder.Link], drivers, Lease, [self], self, clock, allocator), NodeAgent.Name);
        Started(voter, agent);
        agent.Tell(new Assign(Vip, 1));
        AdvanceUntil(() => kernel.HasAddress(Vip + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        return (kernel, agent, voter, self);
    }

    /// <summary>Makes the agent give the held VIP up along one of its three paths.</summary>
    private void GiveUp(string path, IActorRef agent, IActorRef voter)
    {
        switch (path)
        {
            case "release-all":
                agent.Tell(new ReleaseAll("test"));
                break;
            case "revoke":
                agent.Tell(new Revoke(Vip, 2));
                break;
            default:
                // Another owner renews at a higher epoch at our voter: our next renewal is refused with that epoch.
                voter.Tell(new Renew(Vip, 2, new NodeId("akka.tcp://actorvip@192.0.2.12:4053"), 1, false));
                Scheduler.Advance(Lease.RenewInterval);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(GiveUpPaths))]
    public void No_release_reaches_a_voter_before_the_fence_is_closed_and_the_address_removed(string path)
    {
        var (kernel, agent, voter, _) = Start(CreateTestProbe());

        GiveUp(path, agent, voter);
        AwaitCondition(() => kernel.Count("release-lease") > 0, Bound);
        var calls = kernel.Calls.ToList();
        var release = calls.IndexOf($"release-lease {Vip} 1");
        Assert.True(calls.Contains($"disown {Vip}") && calls.Contains($"remove {Vip}/32") &&
            release > calls.IndexOf($"disown {Vip}") && release > calls.IndexOf($"remove {Vip}/32"),
            "the release left before the VIP was silenced: " + string.Join(" | ", calls));
    }

    /// <summary>
    /// The release goes as soon as the agent's batch silenced the VIP (fence closed, address removed, the kernel said yes),
    /// not once the holder and its children have stopped: with 500 VIPs the last of those stops came tens of milliseconds
    /// later (with load balancing, after the IPVS teardown), and the successor's acquisition waits for the release. Here
    /// the holder cannot stop at all (its IPVS teardown is stuck) until the release has arrived.
    /// </summary>
    [Theory]
    [MemberData(nameof(GiveUpPaths))]
    public void The_release_leaves_once_the_vip_is_silenced_without_waiting_for_the_holder_to_stop(string path)
    {
        using var deleting = new ManualResetEventSlim(false);
        using var stuck = new ManualResetEventSlim(false);
        var ipvs = new StuckTeardown(deleting, stuck);
        var (kernel, agent, voter, _) = Start(CreateTestProbe(), loadBalancer: new LoadBalancerDrivers(ipvs, ipvs.Recorder, ipvs.Recorder,
            FollowMembers: false));
        try
        {
            // After the holder's first announce: one under way at the give-up rightly holds the release back (the next test).
            AwaitCondition(() => kernel.Count("announce") > 0, Bound);
            Thread.Sleep(100);
            GiveUp(path, agent, voter);
            Assert.True(deleting.Wait(Bound), "the holder's IPVS teardown never started");
            AwaitCondition(() => kernel.Count("release-lease") > 0, Bound);
            Assert.False(stuck.IsSet);
            var calls = kernel.Calls.ToList();
            Assert.True(calls.IndexOf($"release-lease {Vip} 1") > calls.IndexOf($"remove {Vip}/32"), string.Join(" | ", calls));
        }
        finally
        {
            stuck.Set();
        }
    }

    /// <summary>
    /// But not while a kernel action of the holder is under way: an announce that passed its lease check just before the give-up
    /// (here, stuck in its send) could otherwise put a gratuitous ARP on the wire after the release, when a successor may hold
    /// the VIP. The release then waits for the holder to stop, as before.
    /// </summary>
    [Theory]
    [MemberData(nameof(GiveUpPaths))]
    public void A_release_waits_for_an_announce_under_way(string path)
    {
        using var sending = new ManualResetEventSlim(false);
        using var stuck = new ManualResetEventSlim(false);
        var (kernel, agent, voter, _) = Start(CreateTestProbe(), stuckAnnounce: (sending, stuck));
        try
        {
            // Inside the send: a stop that came before it would have been taken first (system messages go first).
            Assert.True(sending.Wait(Bound));
            GiveUp(path, agent, voter);
            Assert.Contains($"remove {Vip}/32", kernel.Calls);
            Thread.Sleep(300);
            Assert.Equal(0, kernel.Count("release-lease"));
        }
        finally
        {
            stuck.Set();
        }
        AwaitCondition(() => kernel.Count("release-lease") > 0, Bound);
    }

    [Theory]
    [InlineData("revoke", 2)]
    [InlineData("higher-epoch", 2)]
    [InlineData("release-all", 0)]
    public void The_allocator_hears_the_epoch_that_made_the_owner_give_up(string path, long learnt)
    {
        // So that it places the VIP again above that epoch instead of re-sending the refused one (issue 13 §2.4).
        var allocator = CreateTestProbe();
        var (_, agent, voter, self) = Start(allocator);
        GiveUp(path, agent, voter);
        var released = allocator.FishForMessage<Released>(r => r.Vip == Vip, Bound);
        Assert.Equal(new Released(Vip, 1, self, learnt), released);
    }

    [Theory]
    [InlineData("fence")]
    [InlineData("address")]
    public void A_failed_silencing_sends_no_release_and_the_promises_run_out(string failing)
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, self) = Start(allocator);

        if (failing == "fence") kernel.FailDisown = true;
        else kernel.FailRemove = true;
        agent.Tell(new ReleaseAll("test"));
        ExpectMsg<AllReleased>(Bound);
        Scheduler.Advance(Lease.PromiseTime * 2);
        Assert.DoesNotContain(kernel.Calls, c => c.StartsWith("release-lease", StringComparison.Ordinal));
        // The allocator still hears of it: the successor is placed now and acquires once the promises ran out.
        allocator.FishForMessage(m => m is Released r && r.Vip == Vip && r.Owner == self, Bound);
    }

    [Fact]
    public void A_silencing_that_ends_after_the_lease_would_have_sends_no_release()
    {
        var clock = new SkewedClock(Clock);
        var (kernel, agent, _, _) = Start(CreateTestProbe(), clock);

        // The fence close takes longer than the lease had left: the promises are running out on their own by then, and a
        // release would free the voters while this node was answering, which the lease never allowed past its end.
        kernel.DuringDisown = () => clock.Skew += Lease.LeaseTime;
        agent.Tell(new ReleaseAll("test"));
        ExpectMsg<AllReleased>(Bound);
        Assert.Contains($"disown {Vip}", kernel.Calls);
        Assert.DoesNotContain(kernel.Calls, c => c.StartsWith("release-lease", StringComparison.Ordinal));
    }

    /// <summary>The test's virtual clock plus a jump the test adds (a slow kernel call, as the agent's clock sees it).</summary>
    private sealed class SkewedClock(IMonotonicClock inner) : IMonotonicClock
    {
        public TimeSpan Skew { get; set; }

        public TimeSpan Now => inner.Now + Skew;
    }

    /// <summary>A voter at /user/voter that logs each ReleaseLease into the kernel's call log, then hands it to the real voter.</summary>
    private sealed class SpyVoter : ReceiveActor
    {
        public SpyVoter(Props voter, KernelRecorder log)
        {
            var real = Context.ActorOf(voter, "real");
            ReceiveAny(m =>
            {
                if (m is ReleaseLease r) log.Calls.Enqueue($"release-lease {r.Vip} {r.Epoch}");
                if (m is ReleaseBatch b)
                {
                    foreach (var item in b.Items) log.Calls.Enqueue($"release-lease {item.Vip} {item.Epoch}");
                }
                real.Forward(m);
            });
        }
    }

    /// <summary>IPVS as the recorder keeps it, but a teardown (services deleted) sets Deleting and waits until Stuck is set.</summary>
    private sealed class StuckTeardown(ManualResetEventSlim deleting, ManualResetEventSlim stuck) : IIpvsDriver
    {
        public IpvsRecorder Recorder { get; } = new();

        public IpvsTable List() => Recorder.List();

        public void Execute(IReadOnlyList<IpvsOperation> operations)
        {
            if (operations.Any(o => o is DeleteService))
            {
                deleting.Set();
                stuck.Wait(TimeSpan.FromSeconds(30));
            }
            Recorder.Execute(operations);
        }
    }
}
