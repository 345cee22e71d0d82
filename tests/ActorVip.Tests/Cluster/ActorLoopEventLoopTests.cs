using System.Collections.Concurrent;
using System.Diagnostics;
using ActorVip.Node.Runtime;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using DotNetty.Common.Concurrency;

namespace ActorVip.Tests.Cluster;

/// <summary>DotNetty's event loop on the actor loop: tasks in order on the loop thread, scheduled tasks at their deadline.</summary>
public sealed class ActorLoopEventLoopTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ActorLoopScheduler _scheduler = new(ConfigurationFactory.ParseString("akka.scheduler.shutdown-timeout = 5s"), NoLogger.Instance);
    private readonly ActorLoopEventLoop _loop;

    public ActorLoopEventLoopTests() => _loop = new ActorLoopEventLoop(_scheduler);

    public void Dispose() => _scheduler.Dispose();

    [Fact]
    public void Tasks_run_on_the_actor_loop_in_the_order_posted_and_only_there_is_in_event_loop()
    {
        var ran = new ConcurrentQueue<(int Item, bool OnLoop, bool InEventLoop)>();
        var done = new CountdownEvent(50);
        for (var i = 0; i < 50; i++)
        {
            var item = i;
            _loop.Execute(() => { ran.Enqueue((item, _scheduler.IsLoopThread, _loop.InEventLoop)); done.Signal(); });
        }
        Assert.True(done.Wait(Wait));
        Assert.Equal(Enumerable.Range(0, 50), ran.Select(r => r.Item));
        Assert.All(ran, r => Assert.True(r.OnLoop && r.InEventLoop));
        Assert.False(_loop.InEventLoop);
        Assert.Same(_loop, _loop.GetNext());
    }

    [Fact]
    public void A_scheduled_task_runs_on_the_loop_after_its_delay_and_a_cancelled_one_never()
    {
        var clock = Stopwatch.StartNew();
        using var ran = new ManualResetEventSlim();
        var at = TimeSpan.Zero;
        var onLoop = false;
        var cancelledRan = false;
        var cancelled = _loop.Schedule(() => cancelledRan = true, TimeSpan.FromMilliseconds(40));
        _loop.Schedule(() => { at = clock.Elapsed; onLoop = _scheduler.IsLoopThread; ran.Set(); }, TimeSpan.FromMilliseconds(80));
        Assert.True(cancelled.Cancel());
        Assert.True(ran.Wait(Wait));
        Assert.True(at >= TimeSpan.FromMilliseconds(80), $"ran after {at.TotalMilliseconds} ms");
        Assert.True(onLoop);
        Assert.False(cancelledRan);
    }

    [Fact]
    public async Task A_task_scheduled_from_the_loop_itself_with_no_delay_runs()
    {
        var task = new TaskCompletionSource<bool>();
        _loop.Execute(() => _loop.Schedule(() => task.SetResult(_scheduler.IsLoopThread), TimeSpan.Zero));
        Assert.True(await task.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Schedule_async_completes_after_its_delay()
    {
        var clock = Stopwatch.StartNew();
        var ran = false;
        await _loop.ScheduleAsync(() => ran = true, TimeSpan.FromMilliseconds(30)).WaitAsync(Wait);
        Assert.True(ran);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(30));
    }

    [Fact]
    public void Scheduling_after_the_actor_system_stopped_is_rejected_as_dotnetty_expects()
    {
        _scheduler.Dispose();
        Assert.Throws<RejectedExecutionException>(() => _loop.Schedule(() => { }, TimeSpan.FromMilliseconds(10)));
    }
}

/// <summary>
/// Two actor systems with reference.conf's transport: messages cross real loopback sockets served by the actor loop, and
/// the systems leave no DotNetty thread running. In the simulation collection, which runs alone, so that no other test's
/// actor systems start or stop DotNetty threads meanwhile.
/// </summary>
[Collection(ActorVip.Tests.Simulation.SimulationCollection.Name)]
public sealed class ActorLoopTransportTests : IDisposable
{
    private readonly List<ActorSystem> _systems = new();

    public void Dispose()
    {
        foreach (var system in _systems) system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    private ActorSystem Start(string name, string overrides = "")
    {
        var config = ConfigurationFactory.ParseString(overrides)
            .WithFallback(ConfigurationFactory.ParseString(
                """
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp.hostname = 127.0.0.1
                akka.remote.dot-netty.tcp.port = 0
                akka.loglevel = WARNING
                """))
            .WithFallback(ActorVip.Node.Configuration.ConfigSources.Reference());
        var system = ActorSystem.Create(name, config);
        _systems.Add(system);
        return system;
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell((m, ((ActorLoopScheduler)Context.System.Scheduler).IsLoopThread)));
    }

    [Fact]
    public async Task Messages_cross_loopback_both_ways_and_no_dotnetty_thread_is_left()
    {
        var before = DotNettyThreads().ToHashSet();
        var a = Start("a");
        var b = Start("b");
        b.ActorOf(Props.Create(() => new Echo()), "echo");
        var address = ((ExtendedActorSystem)b).Provider.DefaultAddress;
        var echo = await a.ActorSelection($"{address}/user/echo").ResolveOne(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 20; i++)
        {
            var (message, onLoop) = await echo.Ask<(object, bool)>(i, TimeSpan.FromSeconds(10));
            Assert.Equal(i, message);
            Assert.True(onLoop);
        }
        // Akka's transport started a DotNetty thread per pool; they are shut down when the actor loop takes over.
        // Judged by thread id, not by count: an earlier test's systems may still be ending their own DotNetty threads
        // while this one runs (CI once saw 8 before and 4 after).
        var deadline = Stopwatch.StartNew();
        while (StartedSince(before).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Empty(StartedSince(before));
    }

    /// <summary>Keeps every log event of the systems that name it in akka.loggers.</summary>
    public sealed class RecordingLogger : ReceiveActor
    {
        public static readonly ConcurrentQueue<LogEvent> Events = new();

        public RecordingLogger()
        {
            Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
            Receive<LogEvent>(Events.Enqueue);
        }
    }

    private sealed class PlainEcho : ReceiveActor
    {
        public PlainEcho() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task Where_the_swap_is_not_possible_the_transport_says_so_once_and_runs_akkas_own()
    {
        // Akka's own scheduler and executors: the transport cannot move onto a loop that does not exist.
        const string akkaDefaults =
            """
            akka.scheduler.implementation = "Akka.Actor.HashedWheelTimerScheduler"
            akka.actor.default-dispatcher.executor = default-executor
            akka.actor.internal-dispatcher.executor = fork-join-executor
            akka.remote.default-remote-dispatcher.executor = fork-join-executor
            akka.remote.backoff-remote-dispatcher.executor = fork-join-executor
            akka.loggers = ["ActorVip.Tests.Cluster.ActorLoopTransportTests+RecordingLogger, ActorVip.Tests"]
            """;
        var a = Start("fallback-a", akkaDefaults);
        var b = Start("fallback-b", akkaDefaults);
        b.ActorOf(Props.Create(() => new PlainEcho()), "echo");
        var address = ((ExtendedActorSystem)b).Provider.DefaultAddress;
        var echo = await a.ActorSelection($"{address}/user/echo").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.Equal(42, await echo.Ask<int>(42, TimeSpan.FromSeconds(10)));
        var warnings = RecordingLogger.Events.OfType<Warning>()
            .Select(w => w.Message.ToString()!)
            .Where(m => m.StartsWith("Akka remoting keeps its own DotNetty threads", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("akka.scheduler.implementation is HashedWheelTimerScheduler, not ActorLoopScheduler", w));
    }

    private static List<string> StartedSince(HashSet<string> before) => DotNettyThreads().Where(t => !before.Contains(t)).ToList();

    /// <summary>The ids of this process's DotNetty event-loop threads (a thread that ends while being read is skipped).</summary>
    private static IEnumerable<string> DotNettyThreads()
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string name;
            try { name = File.ReadAllText(Path.Combine(task, "comm")); }
            catch (IOException) { continue; }
            if (name.StartsWith("SingleThreadEve", StringComparison.Ordinal)) yield return Path.GetFileName(task);
        }
    }
}
