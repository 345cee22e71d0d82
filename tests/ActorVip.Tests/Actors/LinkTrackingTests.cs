using System.Net.NetworkInformation;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Actors;
using ActorVip.Node.Drivers;
using Akka.Actor;

namespace ActorVip.Tests.Actors;

/// <summary>
/// The agent follows its VIP interface (issue 14 §2): gone, down or without carrier, it tells the allocator it cannot hold
/// VIPs and gives up what it holds; back (with a new index after a re-create), it says it can and holds on the new index.
/// One real voter, a probe as allocator, a hand-driven link watcher, virtual time.
/// </summary>
public class LinkTrackingTests : OneVoterAgentTestKit
{
    [Theory]
    [InlineData(false, true, "interface eth0 is administratively down")]
    [InlineData(true, false, "interface eth0 has no carrier")]
    public void Link_down_says_ineligible_first_then_gives_the_vip_up(bool adminUp, bool lowerUp, string reason)
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, link, self) = Start(allocator);
        Hold(kernel, agent, 1);

        link.Report(new LinkStatus("eth0", KernelRecorder.Link with { AdminUp = adminUp, LowerUp = lowerUp }));

        // Eligibility before Released: the allocator's decision on the release must already leave this node out.
        var said = allocator.FishForMessage(m => m is Eligibility or Released, TimeSpan.FromSeconds(5));
        Assert.Equal(new Eligibility(self, false, reason), said);
        allocator.FishForMessage(m => m is Released r && r.Vip == Vip && r.Epoch == 1, TimeSpan.FromSeconds(5));
        AdvanceUntil(() => !kernel.HasAddress(Vip + "/32"), Lease.RenewInterval);
        Assert.Contains($"disown {Vip}", kernel.Calls);
    }

    [Fact]
    public void While_ineligible_an_assignment_is_handed_back_and_the_state_is_re_sent()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, link, self) = Start(allocator);
        link.Report(new LinkStatus("eth0", null));
        allocator.FishForMessage(m => m is Eligibility { Eligible: false }, TimeSpan.FromSeconds(5));

        agent.Tell(new Assign(Vip, 4));
        allocator.FishForMessage(m => m is Released r && r.Epoch == 4 && r.Owner == self, TimeSpan.FromSeconds(5));
        Scheduler.Advance(Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.False(kernel.HasAddress(Vip + "/32"));
        // A new allocator learns it without a change: re-sent every EligibilityResend.
        Scheduler.Advance(NodeAgent.EligibilityResend);
        allocator.FishForMessage(m => m is Eligibility { Eligible: false, Reason: "interface eth0 does not exist" }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_re_created_interface_makes_the_node_eligible_again_and_the_vip_goes_on_its_new_index()
    {
        var allocator = CreateTestProbe();
        var (kernel, agent, link, self) = Start(allocator);
        Hold(kernel, agent, 1);
        Assert.Equal(2, kernel.LastAddedOn?.Index);

        link.Report(new LinkStatus("eth0", null)); // ip link del
        allocator.FishForMessage(m => m is Eligibility { Eligible: false }, TimeSpan.FromSeconds(5));
        var recreated = KernelRecorder.Link with { Index = 9, Mac = PhysicalAddress.Parse("02-00-00-00-00-09") };
        link.Report(new LinkStatus("eth0", recreated)); // ip link add ... ; ip link set up
        allocator.FishForMessage(m => m is Eligibility { Eligible: true, Reason: "interface eth0 is up (index 9)" } e && e.Node == self,
            TimeSpan.FromSeconds(5));

        agent.Tell(new Assign(Vip, 3));
        AdvanceUntil(() => kernel.HasAddress(Vip + "/32"), Lease.PromiseTime + Lease.RenewInterval * 2);
        Assert.Equal(recreated, kernel.LastAddedOn);
    }
}
