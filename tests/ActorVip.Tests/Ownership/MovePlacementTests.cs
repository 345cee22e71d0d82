using ActorVip.Messages.Ownership;
using ActorVip.Ownership;
using static ActorVip.Tests.Ownership.TestNodes;

namespace ActorVip.Tests.Ownership;

/// <summary>Placement with lb.health.keep-vip-when-none-healthy = off (<see cref="VipSpec.MoveWhenNoneHealthy"/>); owner n2, allocator n4.</summary>
public class MovePlacementTests
{
    private static MemberView At(NodeId node, BackendHealth health) => new(node, HasVipRole: true, IsUp: true, IsReachable: true, Health: health);

    private static NodeId? Node(string? name) => name switch
    {
        null => null,
        "n1" => N1,
        "n2" => N2,
        "n3" => N3,
        _ => throw new ArgumentException(name),
    };

    private static PlacementDecision Decide(bool move, BackendHealth owner, BackendHealth n1, BackendHealth n3, bool preempt = false) =>
        Placement.Decide([new VipSpec(Vip, preempt ? [N1, N2, N3] : [], preempt, move)],
            [At(N1, n1), At(N2, owner), At(N3, n3)], N4,
            new Dictionary<string, Assignment> { [Vip] = new(N2, 5) }, 5);

    private const BackendHealth U = BackendHealth.Unknown, H = BackendHealth.Healthy, X = BackendHealth.Unhealthy, F = BackendHealth.Failing;

    // move, owner n2, n1, n3 -> owner afterwards
    public static TheoryData<string, bool, BackendHealth, BackendHealth, BackendHealth, string> Rows => new()
    {
        { "on: a failing owner keeps the VIP", false, F, H, H, "n2" },
        { "off: a failing owner loses it to a healthy node", true, F, H, X, "n1" },
        { "off: never to an unhealthy node, whichever rank", true, F, X, H, "n3" },
        { "off: healthy candidates tie: ordinal", true, F, H, H, "n1" },
        { "off: owner unhealthy, not yet failing (hysteresis): stays", true, X, H, H, "n2" },
        { "off: nobody else healthy: stays", true, F, X, F, "n2" },
        { "off: others only unknown (never reported): stays", true, F, U, U, "n2" },
        { "off: an owner that never reported stays", true, U, H, H, "n2" },
        { "off: a healthy owner stays", true, H, H, H, "n2" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_vip_leaves_a_failing_owner_only_when_off_and_only_for_a_healthy_node(string why, bool move, BackendHealth owner, BackendHealth n1,
        BackendHealth n3, string expected)
    {
        var d = Decide(move, owner, n1, n3);
        Assert.True(Node(expected) == d.Assignments[Vip].Owner, $"{why}: got {d.Assignments[Vip].Owner}");
        if (expected == "n2")
        {
            Assert.Empty(d.Changes);
            Assert.Equal(5, d.Assignments[Vip].Epoch);
        }
        else
        {
            // Through the ordinary change: a new epoch, so the old owner is revoked and the new one must win the lease.
            Assert.Equal([new AssignmentChange(Vip, N2, Node(expected), 6)], d.Changes);
        }
    }

    [Fact]
    public void Preempt_does_not_keep_a_failing_owner_that_is_the_most_preferred()
    {
        // Preference n1, n2, n3 with n1 failing too: n3 is the only healthy one and gets it although least preferred.
        var d = Decide(move: true, owner: F, n1: F, n3: H, preempt: true);
        Assert.Equal(N3, d.Assignments[Vip].Owner);
    }

    [Fact]
    public void A_new_placement_prefers_a_node_that_sees_a_healthy_backend()
    {
        var d = Placement.Decide([new VipSpec(Vip, [], false, true)], [At(N1, F), At(N2, X), At(N3, H)], N4,
            new Dictionary<string, Assignment>(), 0);
        Assert.Equal(N3, d.Assignments[Vip].Owner);
    }
}
