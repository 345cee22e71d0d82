using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;

namespace ActorVip.Tests.Ipvs;

public sealed class IpvsTableTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");
    private static readonly IpvsServiceKey Web = IpvsServiceKey.Tcp(Vip, 80);
    private static readonly IpvsServiceKey Dns = IpvsServiceKey.Udp(Vip, 53);
    private static readonly IpvsServiceKey Foreign = IpvsServiceKey.Tcp(IPAddress.Parse("203.0.113.5"), 443);
    private static readonly IpvsDestination B1 = new(IPAddress.Parse("198.51.100.1"), 80, ForwardingMethod.Masquerade, 1);
    private static readonly IpvsDestination B2 = new(IPAddress.Parse("198.51.100.2"), 80, ForwardingMethod.Masquerade, 1);
    private static readonly IpvsServiceSettings Rr = new("rr");

    private static bool OwnsTestNet1(IpvsServiceKey key) => key.Address is { } a && IPNetwork.Parse("192.0.2.0/24").Contains(a);

    private static IpvsTable Table(params IpvsService[] services) => new(services);

    [Fact]
    public void Equal_tables_need_no_change()
    {
        var table = Table(new IpvsService(Web, Rr, B1, B2));
        Assert.Empty(table.ChangesFrom(Table(new IpvsService(Web, Rr, B1, B2)), OwnsTestNet1));
        Assert.Empty(IpvsTable.Empty.ChangesFrom(IpvsTable.Empty, OwnsTestNet1));
    }

    [Fact]
    public void The_order_of_destinations_is_no_difference_but_a_changed_one_in_the_same_order_is()
    {
        var table = Table(new IpvsService(Web, Rr, B1, B2));
        Assert.Empty(table.ChangesFrom(Table(new IpvsService(Web, Rr, B2, B1)), OwnsTestNet1));
        var heavier = B2 with { Weight = 5 };
        Assert.Equal<IpvsOperation>([new EditDestination(Web, heavier)], Table(new IpvsService(Web, Rr, B1, heavier)).ChangesFrom(table, OwnsTestNet1));
    }

    [Fact]
    public void A_new_service_is_added_before_its_destinations()
    {
        var changes = Table(new IpvsService(Web, Rr, B1, B2)).ChangesFrom(IpvsTable.Empty, OwnsTestNet1);
        Assert.Equal<IpvsOperation>([new AddService(Web, Rr), new AddDestination(Web, B1), new AddDestination(Web, B2)], changes);
    }

    public static TheoryData<string, IpvsServiceSettings> ServiceEdits => new()
    {
        { "scheduler", Rr with { Scheduler = "wlc" } },
        { "persistence", Rr with { Persistent = true, Timeout = 300 } },
        { "timeout", Rr with { Timeout = 60 } },
        { "netmask", Rr with { NetmaskBits = 24 } },
        { "one-packet", Rr with { OnePacket = true } },
        { "scheduler flags", Rr with { SchedulerFlags = SchedulerFlags.Flag2 } },
        { "persistence engine", Rr with { PersistenceEngine = "sip" } },
    };

    [Theory]
    [MemberData(nameof(ServiceEdits))]
    public void A_service_setting_is_edited_in_place(string what, IpvsServiceSettings changed)
    {
        var changes = Table(new IpvsService(Web, changed, B1)).ChangesFrom(Table(new IpvsService(Web, Rr, B1)), OwnsTestNet1);
        Assert.True(changes.SequenceEqual([new EditService(Web, changed)]), $"{what}: {string.Join(", ", changes)}");
    }

    public static TheoryData<string, IpvsDestination> DestinationEdits => new()
    {
        { "local", B1 with { Forwarding = ForwardingMethod.Local } },
        { "tunnel", B1 with { Forwarding = ForwardingMethod.Tunnel } },
        { "direct route", B1 with { Forwarding = ForwardingMethod.DirectRoute } },
        { "bypass", B1 with { Forwarding = ForwardingMethod.Bypass } },
        { "weight", B1 with { Weight = 0 } },
        { "upper threshold", B1 with { UpperThreshold = 100 } },
        { "lower threshold", B1 with { LowerThreshold = 10 } },
        { "tunnel type", B1 with { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre } },
        { "tunnel port", B1 with { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080 } },
        { "tunnel checksum", B1 with { Forwarding = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080,
            TunnelChecksum = TunnelChecksum.RemoteChecksum } },
    };

    [Theory]
    [MemberData(nameof(DestinationEdits))]
    public void A_destination_setting_is_edited_in_place(string what, IpvsDestination changed)
    {
        var changes = Table(new IpvsService(Web, Rr, changed, B2)).ChangesFrom(Table(new IpvsService(Web, Rr, B1, B2)), OwnsTestNet1);
        Assert.True(changes.SequenceEqual([new EditDestination(Web, changed)]), $"{what}: {string.Join(", ", changes)}");
    }

    [Fact]
    public void A_destination_on_another_port_is_a_different_destination()
    {
        var moved = B1 with { Port = 8080 };
        var changes = Table(new IpvsService(Web, Rr, moved)).ChangesFrom(Table(new IpvsService(Web, Rr, B1)), OwnsTestNet1);
        Assert.Equal<IpvsOperation>([new AddDestination(Web, moved), new DeleteDestination(Web, B1.Key)], changes);
    }

    [Fact]
    public void A_destination_the_table_lacks_is_removed_even_from_a_service_not_owned()
    {
        var changes = Table(new IpvsService(Foreign, Rr, B1)).ChangesFrom(Table(new IpvsService(Foreign, Rr, B1, B2)), OwnsTestNet1);
        Assert.Equal<IpvsOperation>([new DeleteDestination(Foreign, B2.Key)], changes);
    }

    [Fact]
    public void An_owned_service_the_table_lacks_is_deleted_whole_and_last()
    {
        var changes = Table(new IpvsService(Dns, Rr, B1)).ChangesFrom(Table(new IpvsService(Web, Rr, B1, B2)), OwnsTestNet1);
        Assert.Equal<IpvsOperation>([new AddService(Dns, Rr), new AddDestination(Dns, B1), new DeleteService(Web)], changes);
    }

    [Fact]
    public void A_service_not_owned_is_left_alone()
    {
        var fwmark = IpvsServiceKey.ForFirewallMark(7);
        var actual = Table(new IpvsService(Foreign, Rr, B1), new IpvsService(fwmark, Rr, B2));
        Assert.Empty(IpvsTable.Empty.ChangesFrom(actual, OwnsTestNet1));
    }

    [Fact]
    public void The_same_address_and_port_in_another_protocol_or_family_is_another_service()
    {
        var v6 = IpvsServiceKey.Tcp(IPAddress.Parse("2001:db8::10"), 80);
        var udp = IpvsServiceKey.Udp(Vip, 80);
        var sctp = IpvsServiceKey.Sctp(Vip, 80);
        Assert.NotEqual(Web, udp);
        Assert.NotEqual(Web, sctp);
        Assert.NotEqual(IpvsServiceKey.ForFirewallMark(1), IpvsServiceKey.ForFirewallMark(1, System.Net.Sockets.AddressFamily.InterNetworkV6));
        var changes = Table(new IpvsService(v6, Rr), new IpvsService(udp, Rr), new IpvsService(sctp, Rr))
            .ChangesFrom(Table(new IpvsService(Web, Rr)), key => true);
        Assert.Equal<IpvsOperation>([new AddService(v6, Rr), new AddService(udp, Rr), new AddService(sctp, Rr), new DeleteService(Web)], changes);
    }

    [Fact]
    public void Phases_run_adds_and_edits_first_and_removals_last()
    {
        var desired = Table(new IpvsService(Web, Rr with { Scheduler = "wrr" }, B2), new IpvsService(Dns, Rr, B1));
        var actual = Table(new IpvsService(Web, Rr, B1), new IpvsService(IpvsServiceKey.Tcp(Vip, 443), Rr, B1));
        var changes = desired.ChangesFrom(actual, OwnsTestNet1);
        Assert.Equal<IpvsOperation>(
        [
            new EditService(Web, Rr with { Scheduler = "wrr" }),
            new AddService(Dns, Rr),
            new AddDestination(Web, B2),
            new AddDestination(Dns, B1),
            new DeleteDestination(Web, B1.Key),
            new DeleteService(IpvsServiceKey.Tcp(Vip, 443)),
        ], changes);
        Assert.Equal(changes.Select(c => c.Phase).Order(), changes.Select(c => c.Phase));
    }

    [Fact]
    public void A_service_or_destination_listed_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Table(new IpvsService(Web, Rr), new IpvsService(Web, Rr with { Scheduler = "wlc" })));
        Assert.Throws<ArgumentException>(() => Table(new IpvsService(Web, Rr, B1, B1 with { Weight = 5 })));
    }

    /// <summary>
    /// Every pair of states of two services (one owned, one not), each absent or present with one of two settings and
    /// each of two destinations absent or at one of two weights: the plan, carried out by a model of the kernel that
    /// refuses what the kernel refuses, yields the desired table plus the untouched foreign services, with exactly
    /// one operation per difference and in phase order.
    /// </summary>
    [Fact]
    public void Every_combination_of_small_tables_converges_with_the_fewest_operations()
    {
        var states = ServiceStates().ToArray();
        Assert.Equal(19, states.Length);
        var checkedPairs = 0;
        foreach (var desiredOwned in states)
            foreach (var actualOwned in states)
                foreach (var desiredForeign in states)
                    foreach (var actualForeign in states)
                    {
                        var desired = Build((Web, desiredOwned), (Foreign, desiredForeign));
                        var actual = Build((Web, actualOwned), (Foreign, actualForeign));
                        var plan = desired.ChangesFrom(actual, OwnsTestNet1);

                        var result = KernelModel.Run(actual, plan);
                        var expected = Build((Web, desiredOwned), (Foreign, desiredForeign ?? actualForeign));
                        Assert.True(KernelModel.Same(expected, result), $"desired {Describe(desired)} actual {Describe(actual)} plan " +
                            $"{string.Join("; ", plan)}");
                        Assert.Equal(Differences(desiredOwned, actualOwned, owned: true) + Differences(desiredForeign, actualForeign,
                            owned: false), plan.Count);
                        Assert.Equal(plan.Select(c => c.Phase).Order(), plan.Select(c => c.Phase));
                        Assert.Empty(desired.ChangesFrom(result, OwnsTestNet1));
                        checkedPairs++;
                    }
        Assert.Equal(19 * 19 * 19 * 19, checkedPairs);
    }

    private sealed record State(IpvsServiceSettings Settings, int? Weight1, int? Weight2);

    private static IEnumerable<State?> ServiceStates()
    {
        yield return null;
        foreach (var settings in new[] { Rr, Rr with { Scheduler = "wlc", Persistent = true, Timeout = 300 } })
            foreach (var w1 in new int?[] { null, 1, 2 })
                foreach (var w2 in new int?[] { null, 1, 2 })
                    yield return new State(settings, w1, w2);
    }

    private static IpvsTable Build(params (IpvsServiceKey Key, State? State)[] services) => new(
        services.Where(s => s.State is not null).Select(s => new IpvsService(s.Key, s.State!.Settings,
            new[] { (B1, s.State.Weight1), (B2, s.State.Weight2) }
                .Where(d => d.Item2 is not null)
                .Select(d => d.Item1 with { Weight = d.Item2!.Value })
                .ToArray())));

    /// <summary>How many kernel requests the difference needs, counted from the states alone.</summary>
    private static int Differences(State? desired, State? actual, bool owned)
    {
        if (desired is null) return actual is not null && owned ? 1 : 0;
        if (actual is null) return 1 + (desired.Weight1 is null ? 0 : 1) + (desired.Weight2 is null ? 0 : 1);
        return (desired.Settings == actual.Settings ? 0 : 1)
            + (desired.Weight1 == actual.Weight1 ? 0 : 1)
            + (desired.Weight2 == actual.Weight2 ? 0 : 1);
    }

    private static string Describe(IpvsTable table) =>
        "{" + string.Join(" ",
            table.Services.Select(s => $"{s.Key}/{s.Settings.Scheduler}[{string.Join(",", s.Destinations.Select(d => $"{d}w{d.Weight}"))}]")) + "}";
}
