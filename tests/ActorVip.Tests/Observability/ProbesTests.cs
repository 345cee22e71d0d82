using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>What /healthz and /readyz answer, from plain values.</summary>
public class ProbesTests
{
    private const string A = "akka.tcp://actorvip@192.0.2.11:4053";
    private const string B = "akka.tcp://actorvip@192.0.2.12:4053";
    private const string C = "akka.tcp://actorvip@192.0.2.13:4053";

    [Fact]
    public void Healthy_only_while_the_system_runs_and_the_agent_answers_within_the_watchdog_timeout()
    {
        Assert.True(Probes.Health(false, TimeSpan.FromMilliseconds(4)).Ok);
        Assert.StartsWith("ok: ", Probes.Health(false, TimeSpan.FromMilliseconds(4)).Reason);
        Assert.Equal(new ProbeVerdict(false, "the actor system has stopped"), Probes.Health(true, TimeSpan.FromMilliseconds(4)));
        Assert.Equal(new ProbeVerdict(false, "the node agent did not answer a ping within 1000 ms"), Probes.Health(false, null));
        Assert.False(Probes.Health(false, TimeSpan.FromMilliseconds(1500)).Ok);
    }

    private static ObservedMember Member(string address, string status = "Up", bool reachable = true, string role = "vip") => new(address, status,
        [role], reachable);

    public static TheoryData<string, ClusterView, bool, string> Cases => new()
    {
        { "all Up", new(A, [Member(A), Member(B), Member(C)], A, 2), true, "ok: Up, allocator on " + A + ", 3 vip members Up (majority 2)" },
        { "not joined", new(A, [Member(B), Member(C)], B, 2), false, "this node has not joined the cluster yet" },
        { "joining", new(A, [Member(A, "Joining"), Member(B), Member(C)], B, 2), false, "this node is Joining, not Up" },
        { "no allocator", new(A, [Member(A)], null, 2), false, "no Up member with role vip runs the allocator" },
        { "allocator unreachable", new(A, [Member(A), Member(B, reachable: false), Member(C)], B, 2), false, $"the allocator's node {B} is unreachable" },
        { "no majority", new(A, [Member(A), Member(B), Member(C, reachable: false)], A, 3), false,
            "2 vip members are Up and reachable, fewer than the majority of 3" },
        { "one of three down", new(A, [Member(A), Member(B), Member(C, reachable: false)], A, 2), true, "ok: Up, allocator on " + A +
            ", 2 vip members Up (majority 2)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ready_when_up_with_a_reachable_allocator_and_a_majority(string name, ClusterView view, bool ok, string reason)
    {
        _ = name;
        Assert.Equal(new ProbeVerdict(ok, reason), Probes.Readiness(view));
    }

    [Fact]
    public void Not_ready_while_the_vip_interface_cannot_carry_a_vip()
    {
        var view = new ClusterView(A, [Member(A), Member(B), Member(C)], A, 2);
        Assert.Equal(new ProbeVerdict(false, "interface eth1 has no carrier: this node holds no VIP on it until it is back"),
            Probes.Readiness(view, "interface eth1 has no carrier"));
    }

    [Fact]
    public void Not_ready_while_the_kernel_fence_is_broken_and_it_says_why()
    {
        var view = new ClusterView(A, [Member(A), Member(B), Member(C)], A, 2);
        Assert.Equal(new ProbeVerdict(false, "the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: foreign: this node " +
                "holds no VIP until the fence installs again (it retries every 2 s)"),
            Probes.Readiness(view, null, "the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: foreign"));
    }
}
