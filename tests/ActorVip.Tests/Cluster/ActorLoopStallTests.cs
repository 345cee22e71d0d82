using ActorVip.Node.Configuration;
using ActorVip.Node.Observability;
using ActorVip.Node.Runtime;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Cluster;

/// <summary>
/// The stall detector on a real actor loop, with reference.conf's scheduler, dispatchers and lease: an actor that blocks
/// the loop for a renew-interval is caught (a warning and the metric), and a node's normal idle loop, with Akka's
/// cluster housekeeping and a renewal timer, raises nothing. In the simulation collection, which runs alone, so that
/// other tests do not take the 2 cores from the idle loop.
/// </summary>
[Collection(ActorVip.Tests.Simulation.SimulationCollection.Name)]
public sealed class ActorLoopStallTests() : TestKit(ConfigurationFactory.ParseString(
        """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.seed-nodes = []
        akka.loglevel = WARNING
        actorvip.actor-loop.startup-grace = 0s
        """)
    .WithFallback(ConfigSources.Reference()))
{
    private static readonly TimeSpan RenewInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private ActorLoopScheduler Loop => (ActorLoopScheduler)Sys.Scheduler;

    /// <summary>Blocks the thread it runs on for the time it is sent: what an actor on the loop must never do.</summary>
    private sealed class Sleeper : ReceiveActor
    {
        public Sleeper() => Receive<TimeSpan>(t =>
        {
            Thread.Sleep(t);
            Sender.Tell("slept");
        });
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    /// <summary>Renews on a timer like an owner does, every renew-interval, and does a few microseconds of work each time.</summary>
    private sealed class Renewer : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public Renewer()
        {
            var renewals = 0;
            Receive<string>(_ => renewals++);
        }

        protected override void PreStart() => Timers.StartPeriodicTimer("renew", "renew", RenewInterval);
    }

    [Fact]
    public void The_threshold_is_half_the_configured_renew_interval()
    {
        Assert.Equal(RenewInterval, Sys.Settings.Config.GetTimeSpan("actorvip.lease.renew-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(125), Loop.StallThreshold);
    }

    [Fact]
    public void An_actor_that_blocks_the_loop_for_a_renew_interval_raises_the_warning_and_the_metric()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var sleeper = Sys.ActorOf(Props.Create(() => new Sleeper()));
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        // Both actors have run once (their code is compiled) before the stall counts are taken.
        sleeper.Tell(TimeSpan.Zero);
        ExpectMsg("slept", Bound);
        echo.Tell("warm");
        ExpectMsg("warm", Bound);
        var before = Loop.Stalls.Count;

        // The echo's turn is posted while the sleeper holds the loop: it starts a renew-interval late.
        sleeper.Tell(RenewInterval);
        echo.Tell("behind the sleeper");
        ExpectMsg("slept", Bound);
        ExpectMsg("behind the sleeper", Bound);

        var warning = warnings.FishForMessage<Warning>(w => w.Message.ToString()!.StartsWith("actor loop stalled", StringComparison.Ordinal), Bound);
        var text = warning.Message.ToString()!;
        Assert.Contains("akka.actor.default-blocking-io-dispatcher", text);
        Assert.Contains("longest-task=an actor's mailbox", text);
        Assert.Equal(before + 1, Loop.Stalls.Count);
        Assert.InRange(Loop.Stalls.LongestLateness, Loop.StallThreshold, Bound);

        var metrics = new NodeMetrics(new MetricRegistry());
        metrics.RecordActorLoop(Loop.Stalls);
        var exported = metrics.Registry.Export();
        Assert.Contains($"actorvip_actor_loop_stalls_total {before + 1}\n", exported);
        Assert.Matches(@"actorvip_actor_loop_longest_lateness_seconds 0\.(1[3-9]|[2-9])", exported);
    }

    [Fact]
    public async Task A_node_s_normal_idle_loop_raises_nothing()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(Bound);
        // Start-up (JIT, joining) is not what this is about: the window opens once the node is up.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var before = Loop.Stalls.Count;

        // A voter's idle loop: only Akka's 1 s gossip, leader, heartbeat and reaper ticks, housekeeping timers that fire
        // with the next wake-up, at the latest 300 ms after their deadline, by design.
        await Task.Delay(TimeSpan.FromSeconds(3));
        // An owner's: the same, and a renewal every renew-interval that the housekeeping ticks ride on.
        Sys.ActorOf(Props.Create(() => new Renewer()));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(before, Loop.Stalls.Count);
        var logged = new List<string>();
        while (warnings.HasMessages)
            if (warnings.ReceiveOne(TimeSpan.Zero) is Warning { Message: var message } && $"{message}".StartsWith("actor loop stalled",
                StringComparison.Ordinal))
                logged.Add($"{message}");
        Assert.Empty(logged);
    }
}
