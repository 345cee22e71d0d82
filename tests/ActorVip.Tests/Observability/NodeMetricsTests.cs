using System.Net;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Ipvs.Rules;
using ActorVip.Node.LoadBalancing;
using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>Events in, Prometheus text out: what each event does to the collectors, without HTTP or actors.</summary>
public class NodeMetricsTests
{
    private const string Self = "akka.tcp://actorvip@192.0.2.11:4053";
    private const string Other = "akka.tcp://actorvip@192.0.2.12:4053";
    private const string Vip = "192.0.2.100";

    private readonly NodeObservations _state = new(Self, [Vip, "192.0.2.101"]);
    private readonly NodeMetrics _metrics = new(new MetricRegistry());

    public NodeMetricsTests() => _metrics.Initialize(_state);

    private void Apply(params object[] events)
    {
        foreach (var e in events)
        {
            _state.Apply(e);
            _metrics.Record(e, _state);
        }
    }

    private string Text()
    {
        return _metrics.Registry.Export();
    }

    private double Value(string series)
    {
        var line = Text().Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {series} in:\n{Text()}");
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Every_configured_vip_is_exported_as_not_owned_before_any_event()
    {
        Assert.Equal(0, Value("actorvip_vip_owned{vip=\"192.0.2.100\"}"));
        Assert.Equal(0, Value("actorvip_vip_owned{vip=\"192.0.2.101\"}"));
        Assert.Equal(0, Value("actorvip_failovers_total{vip=\"192.0.2.100\"}"));
        Assert.Equal(0, Value("actorvip_cluster_members{status=\"Up\"}"));
    }

    [Fact]
    public void Acquire_and_release_set_the_owned_gauge_and_count_ownership_changes()
    {
        Apply(new VipAcquired(Vip, 3, new NodeId(Self)));
        Assert.Equal(1, Value("actorvip_vip_owned{vip=\"192.0.2.100\"}"));
        Assert.Equal(0, Value("actorvip_vip_owned{vip=\"192.0.2.101\"}"));
        Assert.Equal(1, Value("actorvip_ownership_changes_total{vip=\"192.0.2.100\",change=\"acquired\"}"));

        Apply(new VipReleased(Vip, 3, new NodeId(Self), "lease lost"));
        Assert.Equal(0, Value("actorvip_vip_owned{vip=\"192.0.2.100\"}"));
        Assert.Equal(1, Value("actorvip_ownership_changes_total{vip=\"192.0.2.100\",change=\"released\"}"));
        Assert.Empty(_state.Held);
    }

    [Fact]
    public void Another_nodes_acquisition_changes_nothing_here()
    {
        Apply(new VipAcquired(Vip, 3, new NodeId(Other)));
        Assert.Equal(0, Value("actorvip_vip_owned{vip=\"192.0.2.100\"}"));
        Assert.DoesNotContain("change=\"acquired\"", Text());
    }

    [Theory]
    [InlineData(Other, Self, 1)]   // taken over from another node: a failover
    [InlineData(null, Self, 0)]    // first owner since this voter started
    [InlineData(Self, Self, 0)]    // this node again (new epoch)
    [InlineData(Self, Other, 0)]   // moved away from here: the other node counts it
    public void A_failover_is_a_promise_moved_from_another_node_to_this_one(string? from, string to, int expected)
    {
        Apply(new PromiseMoved(Vip, 4, from is null ? null : new NodeId(from), new NodeId(to)));
        Assert.Equal(expected, Value("actorvip_failovers_total{vip=\"192.0.2.100\"}"));
    }

    [Fact]
    public void Renewal_latency_goes_into_the_histogram_in_seconds()
    {
        Apply(new LeaseRenewalAcked(Vip, 1, TimeSpan.FromMilliseconds(3)), new LeaseRenewalAcked(Vip, 1, TimeSpan.FromMilliseconds(40)));
        Assert.Equal(2, Value("actorvip_lease_renew_seconds_count{vip=\"192.0.2.100\"}"));
        Assert.Equal(0.043, Value("actorvip_lease_renew_seconds_sum{vip=\"192.0.2.100\"}"), 6);
        Assert.Equal(1, Value("actorvip_lease_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"0.005\"}"));
        Assert.Equal(2, Value("actorvip_lease_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"0.05\"}"));
    }

    [Fact]
    public void A_batch_of_renewals_goes_into_the_histogram_as_each_would()
    {
        Apply(new LeaseRenewalsAcked(
            [new LeaseRenewalAcked(Vip, 1, TimeSpan.FromMilliseconds(3)), new LeaseRenewalAcked(Vip, 1, TimeSpan.FromMilliseconds(40))]));
        Assert.Equal(2, Value("actorvip_lease_renew_seconds_count{vip=\"192.0.2.100\"}"));
        Assert.Equal(0.043, Value("actorvip_lease_renew_seconds_sum{vip=\"192.0.2.100\"}"), 6);
    }

    [Fact]
    public void Hook_failures_are_counted_per_vip_and_event()
    {
        Apply(new Node.Notify.HookFailed(Vip, "acquired"), new Node.Notify.HookFailed(Vip, "acquired"), new Node.Notify.HookFailed(Vip, "fault"));
        Assert.Equal(2, Value("actorvip_hook_failures_total{vip=\"192.0.2.100\",event=\"acquired\"}"));
        Assert.Equal(1, Value("actorvip_hook_failures_total{vip=\"192.0.2.100\",event=\"fault\"}"));
    }

    [Fact]
    public void Announcements_and_reconcile_errors_are_counted_per_vip()
    {
        Apply(new AnnouncementSent(Vip), new AnnouncementSent(Vip), new LoadBalancerReconcileFailed(Vip, "EPERM"));
        Assert.Equal(2, Value("actorvip_announcements_total{vip=\"192.0.2.100\"}"));
        Assert.Equal(1, Value("actorvip_reconcile_errors_total{vip=\"192.0.2.100\"}"));
    }

    [Fact]
    public void Ipvs_gauges_follow_the_programmed_tables_and_backend_health_and_drop_a_stopped_vip()
    {
        Apply(Observed(Vip, healthy: 2, failing: 1), Observed("192.0.2.101", healthy: 1, failing: 0));
        Assert.Equal(2, Value("actorvip_ipvs_services"));
        Assert.Equal(3, Value("actorvip_ipvs_backends{health=\"healthy\"}"));
        Assert.Equal(1, Value("actorvip_ipvs_backends{health=\"unhealthy\"}"));

        Apply(new LoadBalancerStopped(Vip));
        Assert.Equal(1, Value("actorvip_ipvs_services"));
        Assert.Equal(1, Value("actorvip_ipvs_backends{health=\"healthy\"}"));
        Assert.Equal(0, Value("actorvip_ipvs_backends{health=\"unhealthy\"}"));
    }

    [Fact]
    public void Members_are_counted_per_status_with_zeros_for_the_others()
    {
        _metrics.RecordMembers(new ClusterView(Self,
            [new ObservedMember(Self, "Up", ["vip"], true), new ObservedMember(Other, "Up", ["vip"], false),
                new ObservedMember("akka.tcp://actorvip@192.0.2.13:4053", "Joining", ["vip"], true)],
            Self, 2));
        Assert.Equal(2, Value("actorvip_cluster_members{status=\"Up\"}"));
        Assert.Equal(1, Value("actorvip_cluster_members{status=\"Joining\"}"));
        Assert.Equal(0, Value("actorvip_cluster_members{status=\"Leaving\"}"));
    }

    internal static LoadBalancerObserved Observed(string vip, int healthy, int failing)
    {
        var backends = Enumerable.Range(0, healthy + failing)
            .Select(i => new BackendHealth(new Backend(IPAddress.Parse($"198.51.100.{10 + i}"), 6443), i < healthy, "tcp 443")).ToList();
        var rules = $"-A -t {vip}:443 -s rr\n" + string.Concat(backends.Select(b => $"-a -t {vip}:443 -r {b.Backend} -m -w {(b.Healthy ? 1 : 0)}\n"));
        return new LoadBalancerObserved(vip, IpvsRulesParser.Parse(rules), backends);
    }

    [Fact]
    public void The_link_gauge_and_the_readiness_reason_follow_the_vip_interface()
    {
        Apply(new LinkObserved("eth1", false, "interface eth1 does not exist"));
        Assert.Equal(0, Value("actorvip_link_up{interface=\"eth1\"}"));
        Assert.Equal("interface eth1 does not exist", _metrics.LinkDown);

        Apply(new LinkObserved("eth1", true, "interface eth1 is up (index 9)"));
        Assert.Equal(1, Value("actorvip_link_up{interface=\"eth1\"}"));
        Assert.Null(_metrics.LinkDown);
    }

    [Fact]
    public void The_fence_gauge_and_the_readiness_reason_follow_the_kernel_fence()
    {
        Assert.Equal(1, Value("actorvip_fence_ok"));
        Assert.Null(_metrics.FenceBroken);

        Apply(new FenceObserved(false, "the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: foreign"));
        Assert.Equal(0, Value("actorvip_fence_ok"));
        Assert.Equal("the kernel fence (nftables) can be neither refreshed nor installed again: fence.table: foreign", _metrics.FenceBroken);

        Apply(new FenceObserved(true, "the kernel fence is installed"));
        Assert.Equal(1, Value("actorvip_fence_ok"));
        Assert.Null(_metrics.FenceBroken);
    }

    [Fact]
    public void The_runtime_counters_grow_with_what_the_process_allocated_and_collected()
    {
        _metrics.RecordRuntime();
        var before = Value("actorvip_runtime_allocated_bytes_total");
        var gen0 = Value("actorvip_runtime_gc_collections_total{generation=\"0\"}");
        var kept = new byte[1 << 20];
        GC.Collect(0);
        _metrics.RecordRuntime();

        Assert.True(Value("actorvip_runtime_allocated_bytes_total") >= before + kept.Length, Text());
        Assert.True(Value("actorvip_runtime_gc_collections_total{generation=\"0\"}") > gen0, Text());
        Assert.Contains("actorvip_runtime_gc_collections_total{generation=\"2\"}", Text());
        GC.KeepAlive(kept);
    }
}
