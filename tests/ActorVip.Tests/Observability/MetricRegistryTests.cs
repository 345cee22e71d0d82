using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>The Prometheus text exposition (format 0.0.4) of our own small registry, line by line.</summary>
public class MetricRegistryTests
{
    private readonly MetricRegistry _registry = new();

    private string[] Lines() => _registry.Export().Split('\n');

    [Fact]
    public void Families_export_help_type_and_their_series_in_order()
    {
        var owned = _registry.CreateGauge("x_owned", "1 while held.", "vip");
        var changes = _registry.CreateCounter("x_changes_total", "Changes.", "vip", "change");
        owned.Set(1, "192.0.2.100");
        owned.Set(0, "192.0.2.101");
        changes.Inc("192.0.2.100", "acquired");
        changes.Inc("192.0.2.100", "acquired");
        Assert.Equal(
            [
                "# HELP x_owned 1 while held.",
                "# TYPE x_owned gauge",
                "x_owned{vip=\"192.0.2.100\"} 1",
                "x_owned{vip=\"192.0.2.101\"} 0",
                "# HELP x_changes_total Changes.",
                "# TYPE x_changes_total counter",
                "x_changes_total{vip=\"192.0.2.100\",change=\"acquired\"} 2",
                "",
            ],
            Lines());
    }

    [Fact]
    public void A_counter_set_from_a_total_kept_elsewhere_never_goes_down()
    {
        var stalls = _registry.CreateCounter("x_stalls_total", "Stalls.");
        stalls.SetTotal(3);
        Assert.Contains("x_stalls_total 3", Lines());
        stalls.SetTotal(2);
        Assert.Contains("x_stalls_total 3", Lines());
        stalls.SetTotal(5);
        Assert.Contains("x_stalls_total 5", Lines());
    }

    [Fact]
    public void A_family_without_labels_exports_zero_before_it_is_set_and_one_with_labels_exports_nothing()
    {
        _registry.CreateGauge("x_services", "Services.");
        _registry.CreateCounter("x_errors_total", "Errors.", "vip");
        Assert.Contains("x_services 0", Lines());
        Assert.DoesNotContain(Lines(), l => l.StartsWith("x_errors_total", StringComparison.Ordinal));
        Assert.Contains("# TYPE x_errors_total counter", Lines());
    }

    [Fact]
    public void A_histogram_exports_cumulative_buckets_sum_and_count()
    {
        var renew = _registry.CreateHistogram("x_renew_seconds", "Renewals.", [0.125, 0.25, 1], "vip");
        foreach (var v in new[] { 0.0625, 0.25, 0.25, 2.0 }) renew.Observe(v, "192.0.2.100");
        var lines = Lines();
        Assert.Contains("x_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"0.125\"} 1", lines);
        Assert.Contains("x_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"0.25\"} 3", lines);
        Assert.Contains("x_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"1\"} 3", lines);
        Assert.Contains("x_renew_seconds_bucket{vip=\"192.0.2.100\",le=\"+Inf\"} 4", lines);
        Assert.Contains("x_renew_seconds_sum{vip=\"192.0.2.100\"} 2.5625", lines);
        Assert.Contains("x_renew_seconds_count{vip=\"192.0.2.100\"} 4", lines);
        Assert.Contains("# TYPE x_renew_seconds histogram", lines);
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var g = _registry.CreateGauge("x_g", "Back\\slash and\nnewline.", "name");
        g.Set(2.5, "a\"b\\c\nd");
        Assert.Contains("# HELP x_g Back\\\\slash and\\nnewline.", Lines());
        Assert.Contains("x_g{name=\"a\\\"b\\\\c\\nd\"} 2.5", Lines());
    }

    [Fact]
    public void Wrong_label_count_duplicate_names_and_unordered_buckets_are_refused()
    {
        var g = _registry.CreateGauge("x_g", "G.", "vip");
        Assert.Throws<ArgumentException>(() => g.Set(1));
        Assert.Throws<ArgumentException>(() => g.Set(1, "a", "b"));
        Assert.Throws<ArgumentException>(() => _registry.CreateCounter("x_g", "again"));
        Assert.Throws<ArgumentException>(() => _registry.CreateHistogram("x_h", "H.", [0.1, 0.01]));
    }

    [Fact]
    public async Task Updates_from_one_thread_and_exports_from_another_do_not_interfere()
    {
        var c = _registry.CreateCounter("x_c_total", "C.", "vip");
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++) c.Inc(i % 2 == 0 ? "a" : "b");
        });
        while (!writer.IsCompleted) _registry.Export();
        await writer;
        Assert.Contains("x_c_total{vip=\"a\"} 10000", Lines());
        Assert.Contains("x_c_total{vip=\"b\"} 10000", Lines());
    }
}
