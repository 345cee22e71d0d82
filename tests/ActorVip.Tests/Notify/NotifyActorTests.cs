using System.Collections.Concurrent;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Notify;
using ActorVip.Node.Observability;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Notify;

/// <summary>
/// The notify hook (issue 14 §4) on this node's ownership events, with a fake runner: which event runs it, with what in its
/// environment, and a failure published for the metric. Real processes: <see cref="ProcessHookRunnerTests"/>.
/// </summary>
public sealed class NotifyActorTests() : TestKit("akka.actor.provider = local")
{
    private const string Self = "akka.tcp://actorvip@192.0.2.11:4053";
    private const string Other = "akka.tcp://actorvip@192.0.2.12:4053";
    private const string Vip = "192.0.2.100";

    private sealed class FakeRunner(bool ok) : IHookRunner
    {
        public BlockingCollection<(string Command, HookRun Run)> Runs { get; } = new();

        public Task<HookResult> RunAsync(string command, HookRun run, TimeSpan timeout)
        {
            Runs.Add((command, run));
            return Task.FromResult(new HookResult(ok, ok ? "exit 0" : "exit 3"));
        }
    }

    /// <summary>VIPs under 198.51.100.0/24 live on eth1 (their own interface), the others on the node's eth0.</summary>
    private static string InterfaceOf(string vip) => vip.StartsWith("198.51.100.", StringComparison.Ordinal) ? "eth1" : "eth0";

    private FakeRunner Start(bool ok = true)
    {
        var runner = new FakeRunner(ok);
        Sys.ActorOf(NotifyActor.Props(new NotifySettings("/usr/local/bin/vip-notify", TimeSpan.FromSeconds(1)), runner, Self, InterfaceOf));
        // The actor subscribes in PreStart; an event it answers to proves it is listening (then the probe VIP is let go).
        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(new VipAcquired("192.0.2.99", 1, new NodeId(Self)));
            Assert.True(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(100)));
        }, TimeSpan.FromSeconds(5));
        Sys.EventStream.Publish(new VipReleased("192.0.2.99", 1, new NodeId(Self), "probe"));
        while (runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(200))) { }
        return runner;
    }

    private static HookRun Next(FakeRunner runner) =>
        runner.Runs.TryTake(out var run, TimeSpan.FromSeconds(5)) ? run.Run : throw new Xunit.Sdk.XunitException("the hook did not run");

    [Fact]
    public void Acquired_and_released_run_the_hook_with_the_vip_epoch_node_interface_and_reason()
    {
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));
        Sys.EventStream.Publish(new VipReleased(Vip, 7, new NodeId(Self), "placed elsewhere"));

        var acquired = Next(runner);
        Assert.Equal(new Dictionary<string, string>
        {
            ["ACTORVIP_EVENT"] = "acquired",
            ["ACTORVIP_VIP"] = Vip,
            ["ACTORVIP_EPOCH"] = "7",
            ["ACTORVIP_NODE"] = Self,
            ["ACTORVIP_INTERFACE"] = "eth0",
            ["ACTORVIP_REASON"] = "",
        }, acquired.Environment);
        Assert.Equal(new HookRun("released", Vip, 7, Self, "eth0", "placed elsewhere"), Next(runner));
    }

    [Fact]
    public void Another_nodes_events_run_nothing()
    {
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Other)));
        Assert.False(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Losing_the_link_runs_the_fault_hook_once_for_each_held_vip()
    {
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));
        Assert.Equal("acquired", Next(runner).Event);
        Sys.EventStream.Publish(new LinkObserved("eth0", false, "interface eth0 has no carrier"));
        Sys.EventStream.Publish(new LinkObserved("eth0", false, "interface eth0 has no carrier"));

        Assert.Equal(new HookRun("fault", Vip, 7, Self, "eth0", "link: interface eth0 has no carrier"), Next(runner));
        Assert.False(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void A_kernel_fence_that_cannot_be_kept_faults_every_held_vip_once_until_it_is_installed_again()
    {
        // The node then hands every VIP over (NodeAgent.OnFenceFailed): the operator's hook hears why before the released.
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));
        Assert.Equal("acquired", Next(runner).Event);
        Sys.EventStream.Publish(new VipAcquired("198.51.100.10", 3, new NodeId(Self)));
        Assert.Equal("acquired", Next(runner).Event);
        Sys.EventStream.Publish(new FenceObserved(false, "nftables refused the fence"));
        Sys.EventStream.Publish(new FenceObserved(false, "nftables refused the fence again"));

        var faults = new[] { Next(runner), Next(runner) }.OrderBy(r => r.Vip, StringComparer.Ordinal).ToList();
        Assert.Equal(new HookRun("fault", Vip, 7, Self, "eth0", "fence: nftables refused the fence"), faults[0]);
        Assert.Equal(new HookRun("fault", "198.51.100.10", 3, Self, "eth1", "fence: nftables refused the fence"), faults[1]);
        Assert.False(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(500)));

        Sys.EventStream.Publish(new FenceObserved(true, "the kernel fence is installed"));
        Sys.EventStream.Publish(new FenceObserved(false, "the fence table is gone"));
        Assert.Equal("fence: the fence table is gone", Next(runner).Reason);
    }

    [Fact]
    public void Losing_a_vips_own_interface_faults_only_the_vips_on_it_and_names_that_interface()
    {
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));
        Assert.Equal("acquired", Next(runner).Event);
        Sys.EventStream.Publish(new VipAcquired("198.51.100.10", 3, new NodeId(Self)));
        Assert.Equal(new HookRun("acquired", "198.51.100.10", 3, Self, "eth1", ""), Next(runner));
        Sys.EventStream.Publish(new LinkObserved("eth1", false, "interface eth1 has no carrier"));

        Assert.Equal(new HookRun("fault", "198.51.100.10", 3, Self, "eth1", "link: interface eth1 has no carrier"), Next(runner));
        Assert.False(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void A_fault_from_health_tracking_runs_the_fault_hook_with_its_reason()
    {
        var runner = Start();
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));
        Assert.Equal("acquired", Next(runner).Event);
        NotifyHooks.Fault(Sys, Vip, "health: https://127.0.0.1:6443/readyz answered 503");
        Assert.Equal(new HookRun("fault", Vip, 7, Self, "eth0", "health: https://127.0.0.1:6443/readyz answered 503"), Next(runner));
    }

    [Fact]
    public void A_fault_from_health_tracking_for_a_vip_held_elsewhere_runs_nothing()
    {
        // Every node checks every VIP; only the owner has something to hand over.
        var runner = Start();
        NotifyHooks.Fault(Sys, Vip, "health: tcp 127.0.0.1:6443 failing");
        Assert.False(runner.Runs.TryTake(out _, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void A_failed_run_is_published_for_the_metric()
    {
        Start(ok: false);
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(HookFailed));
        Sys.EventStream.Publish(new VipAcquired(Vip, 7, new NodeId(Self)));

        failures.ExpectMsg(new HookFailed(Vip, "acquired"), TimeSpan.FromSeconds(5));
    }
}
