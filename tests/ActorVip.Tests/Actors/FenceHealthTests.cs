using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Observability;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A kernel fence the node can neither refresh nor install again (issue 14): a foreign table of the fence's name, which
/// Install leaves alone. The node used to log once and go on renewing its leases while its elements timed out, so the VIP
/// went dark and no other node could take it. Now it says it is ineligible, hands the VIP over, retries the install, and
/// says it is eligible once that works. One real voter, a probe as allocator, virtual time.
/// </summary>
public class FenceHealthTests : OneVoterAgentTestKit
{
    private const string Foreign = "fence.table: nftables table ip actorvip exists and ActorVip did not make it (it lacks the comment \"owned by " +
        "actorvip\"), so ActorVip leaves it alone; choose another actorvip.fence.table, or delete that table if it is a leftover of an older ActorVip";

    [Fact]
    public void A_fence_that_can_be_neither_refreshed_nor_installed_again_makes_the_node_ineligible_and_hands_the_vip_over_until_it_installs()
    {
        var allocator = CreateTestProbe();
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events, typeof(FenceObserved));
        var (kernel, agent, _, self) = Start(allocator);
        Hold(kernel, agent, 1);

        // `nft delete table ip actorvip`, then a table of that name made by someone else.
        kernel.FailOwns = int.MaxValue;
        kernel.FailInstall = Foreign;
        AdvanceUntil(() => !kernel.HasAddress(Vip + "/32"), Lease.RenewInterval * 2);

        // Eligibility before Released, as for a link that went down: the allocator's decision on the release leaves this node out.
        var said = allocator.FishForMessage(m => m is Eligibility or Released, TimeSpan.FromSeconds(5));
        var ineligible = Assert.IsType<Eligibility>(said);
        Assert.False(ineligible.Eligible);
        // Node-wide (the fence guards every VIP), and why: a VIP moved off this node says `fence` in `actorvip status`, not `link`.
        Assert.Equal(IneligibleCause.Fence, ineligible.Cause);
        Assert.True(ineligible.WholeNode);
        // Every VIP named, for an allocator before the cause: it reads "none of these", as it would read no list.
        Assert.Equal([Vip], ineligible.Vips);
        Assert.Equal(self, ineligible.Node);
        Assert.StartsWith("the kernel fence (nftables) can be neither refreshed nor installed again: " + Foreign, ineligible.Reason);
        allocator.FishForMessage(m => m is Released { Vip: Vip, Epoch: 1 }, TimeSpan.FromSeconds(5));
        Assert.Equal(new FenceObserved(false, ineligible.Reason), events.ExpectMsg<FenceObserved>());

        // While broken, an assignment (an allocator that had not heard) is handed back and nothing reaches the kernel.
        var adds = kernel.Count("add");
        agent.Tell(new Assign(Vip, 5));
        allocator.FishForMessage(m => m is Released { Vip: Vip, Epoch: 5 }, TimeSpan.FromSeconds(5));
        Scheduler.Advance(Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.False(kernel.HasAddress(Vip + "/32"));
        Assert.Equal(adds, kernel.Count("add"));

        // The foreign table deleted: the next retry installs the fence, and the node says it can hold VIPs again, once.
        kernel.FailInstall = null;
        kernel.FailOwns = 0;
        EventFilter.Info(contains: "the kernel fence is installed again").ExpectOne(() => Scheduler.Advance(NodeAgent.EligibilityResend));
        Assert.Contains("install " + Vip, kernel.Calls);
        allocator.FishForMessage(m => m is Eligibility { Eligible: true } e && e.Node == self, TimeSpan.FromSeconds(5));
        Assert.True(events.ExpectMsg<FenceObserved>().Ok);
        var installs = kernel.Count("install");
        Scheduler.Advance(NodeAgent.EligibilityResend * 2);
        Assert.Equal(installs, kernel.Count("install"));

        Hold(kernel, agent, 6);
    }

    [Fact]
    public void A_fence_repaired_by_installing_it_again_keeps_the_node_eligible_and_the_vip_held()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, _) = Start(allocator);
        Hold(kernel, agent, 1);

        kernel.FailOwns = 1; // `nft delete table ip actorvip`: the install works
        // In steps: one leap would fire the renewals and the lease's end at the same instant past it.
        for (var step = 0; step < 100; step++) Scheduler.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Contains("install " + Vip, kernel.Calls);
        Assert.True(kernel.HasAddress(Vip + "/32"));
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// A fence deleted by hand while the node held nothing: no refresh runs then, so the next grant's fence open fails and the
    /// holder puts the address up anyway; the first renewal round after it repairs the fence, as for a VIP held before.
    /// </summary>
    [Fact]
    public void A_fence_deleted_while_nothing_is_held_is_installed_again_within_a_round_of_the_next_grant()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, _) = Start(allocator);
        kernel.TableDeleted = true;

        Hold(kernel, agent, 1);
        AdvanceUntil(() => kernel.Calls.Contains("install " + Vip), Lease.RenewInterval * 2);
        AdvanceUntil(() => kernel.Calls.SkipWhile(c => c != "install " + Vip).Any(c => c.StartsWith("own " + Vip, StringComparison.Ordinal)),
            Lease.RenewInterval * 2);

        Assert.True(kernel.HasAddress(Vip + "/32"));
        allocator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The same while the fence cannot be installed again: the first round after the grant finds it, and the node gives the VIP up.</summary>
    [Fact]
    public void A_grant_that_can_neither_open_the_fence_nor_install_it_again_makes_the_node_ineligible_and_hands_the_vip_back()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, _, self) = Start(allocator);
        kernel.TableDeleted = true;
        kernel.FailInstall = Foreign;

        agent.Tell(new Assign(Vip, 1));
        AdvanceUntil(() => kernel.Calls.Contains("install failed"), Lease.PromiseTime + Lease.RenewInterval * 4);
        Scheduler.Advance(Lease.RenewInterval);

        var said = allocator.FishForMessage(m => m is Eligibility or Released, TimeSpan.FromSeconds(5));
        Assert.Equal(new Eligibility(self, false, "the kernel fence (nftables) can be neither refreshed nor installed again: " + Foreign, [Vip],
            IneligibleCause.Fence), said);
        allocator.FishForMessage(m => m is Released { Vip: Vip, Epoch: 1 }, TimeSpan.FromSeconds(5));
        Assert.False(kernel.HasAddress(Vip + "/32"));
    }
}
