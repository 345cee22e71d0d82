using System.Net;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

public class LoadBalancerTableTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");
    private static readonly Backend B1 = new(IPAddress.Parse("198.51.100.11"), 6443);
    private static readonly Backend B2 = new(IPAddress.Parse("198.51.100.2"), 6443);

    private static LoadBalancerSettings Lb(ForwardingMethod method, HealthFailureAction onFailure = HealthFailureAction.WeightZero) =>
        new(true, 6443, 6443, method, "rr", [], Health: HealthSettings.Default with { OnFailure = onFailure });

    public static TheoryData<ForwardingMethod> Spreading => new() { ForwardingMethod.Masquerade, ForwardingMethod.DirectRoute, ForwardingMethod.Tunnel,
        ForwardingMethod.Bypass };

    [Theory]
    [MemberData(nameof(Spreading))]
    public void Every_spreading_mode_lists_each_backend_once_with_that_method_in_the_given_order(ForwardingMethod method)
    {
        var table = LoadBalancerTable.Desired(Vip, Lb(method), [B1, B2, B1], _ => true);
        var service = Assert.Single(table.Services);
        Assert.Equal(IpvsServiceKey.Tcp(Vip, 6443), service.Key);
        Assert.Equal("rr", service.Settings.Scheduler);
        Assert.Equal([new IpvsDestination(B1.Address, 6443, method, 1), new IpvsDestination(B2.Address, 6443, method, 1)], service.Destinations);
    }

    [Fact]
    public void Local_has_the_owner_itself_as_the_only_destination_whatever_the_backends()
    {
        var service = Assert.Single(LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Local), [B1, B2], _ => false).Services);
        Assert.Equal([new IpvsDestination(Vip, 6443, ForwardingMethod.Local, 1)], service.Destinations);
    }

    [Fact]
    public void A_failed_backend_gets_weight_zero_by_default()
    {
        var service = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Masquerade), [B1, B2], b => b != B1).Services.Single();
        Assert.Equal([0, 1], service.Destinations.Select(d => d.Weight));
    }

    [Fact]
    public void A_failed_backend_is_left_out_with_on_failure_remove()
    {
        var service = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Masquerade, HealthFailureAction.Remove), [B1, B2], b => b != B1).Services.Single();
        Assert.Equal([B2.Key], service.Destinations.Select(d => d.Key));
    }

    [Fact]
    public void No_backend_still_gives_the_service_so_the_vip_port_stays_defined()
    {
        var service = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.DirectRoute), [], _ => true).Services.Single();
        Assert.Empty(service.Destinations);
    }

    [Fact]
    public void Backends_of_the_other_address_family_are_left_out()
    {
        var v6 = new Backend(IPAddress.Parse("2001:db8::5"), 6443);
        var service = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Masquerade), [v6, B2], _ => true).Services.Single();
        Assert.Equal([B2.Key], service.Destinations.Select(d => d.Key));
    }

    [Fact]
    public void A_backend_change_diffs_to_one_destination_operation()
    {
        var before = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Masquerade), [B1, B2], _ => true);
        var after = LoadBalancerTable.Desired(Vip, Lb(ForwardingMethod.Masquerade), [B1, B2], b => b != B2);
        var change = Assert.Single(after.ChangesFrom(before, _ => true));
        Assert.Equal(new EditDestination(IpvsServiceKey.Tcp(Vip, 6443), new IpvsDestination(B2.Address, 6443, ForwardingMethod.Masquerade, 0)), change);
    }
}
