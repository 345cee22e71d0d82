using System.Text.Json;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Observability;

namespace ActorVip.Tests.Observability;

/// <summary>The /status document: built from what the node knows, written as JSON, read back, printed as a table.</summary>
public class StatusDocumentTests
{
    private const string A = "akka.tcp://actorvip@192.0.2.11:4053";
    private const string B = "akka.tcp://actorvip@192.0.2.12:4053";

    private static StatusDocument Sample()
    {
        var local = new NodeObservations(A, ["192.0.2.100", "192.0.2.101", "192.0.2.102"]);
        local.Apply(new VipAcquired("192.0.2.101", 7, new NodeId(A)));
        local.Apply(NodeMetricsTests.Observed("192.0.2.101", healthy: 1, failing: 1));
        var view = new ClusterView(A, [new ObservedMember(A, "Up", ["vip"], true), new ObservedMember(B, "Up", ["vip"], false)], A, 2);
        var promises = new List<PromiseInfo>
        {
            new("192.0.2.100", new NodeId(B), 5, TimeSpan.FromMilliseconds(500), 5, new NodeId(B)),
            new("192.0.2.101", new NodeId(A), 7, TimeSpan.FromMilliseconds(500), 7, new NodeId(A)),
            new("192.0.2.102", null, 0, TimeSpan.Zero, 2, new NodeId(B)),
        };
        var placement = new PlacementReport(new NodeId(A),
            [new PlacementEntry("192.0.2.100", new NodeId(B), 5, "preferred"), new PlacementEntry("192.0.2.101", new NodeId(A), 7, "link")]);
        return StatusDocument.Build(view, Probes.Readiness(view), promises, local, placement);
    }

    [Fact]
    public void Owners_and_epochs_come_from_the_voters_live_promises_and_held_here_from_this_node()
    {
        var d = Sample();
        // Why: the allocator's reason; nothing when it did not say (it answered without that VIP, or not at all).
        Assert.Equal([new VipStatus("192.0.2.100", B, 5, false, "preferred"), new VipStatus("192.0.2.101", A, 7, true, "link"),
            new VipStatus("192.0.2.102", null, 0, false)], d.Vips);
        Assert.Equal(A, d.Allocator);
        Assert.False(d.Ready);
        Assert.Equal(["-A -t 192.0.2.101:443 -s rr", "-a -t 192.0.2.101:443 -r 198.51.100.10:6443 -m -w 1",
            "-a -t 192.0.2.101:443 -r 198.51.100.11:6443 -m -w 0"], d.Ipvs.Single().Rules);
        Assert.Equal(
            [new BackendStatus("192.0.2.101", "198.51.100.10:6443", true, "tcp 443"), new BackendStatus("192.0.2.101", "198.51.100.11:6443", false, "tcp 443")],
            d.Backends);
    }

    [Fact]
    public void Json_round_trips()
    {
        var d = Sample();
        var read = StatusDocument.FromJson(d.ToJson());
        Assert.Equal(d.ToJson(), read.ToJson());
        Assert.Equal(d.Vips, read.Vips);
        Assert.Equal(d.Members[1].Roles, read.Members[1].Roles);
    }

    [Fact]
    public void Json_names_owner_and_epoch_per_vip()
    {
        using var json = JsonDocument.Parse(Sample().ToJson());
        var vip = json.RootElement.GetProperty("vips")[0];
        Assert.Equal("192.0.2.100", vip.GetProperty("vip").GetString());
        Assert.Equal(B, vip.GetProperty("owner").GetString());
        Assert.Equal(5, vip.GetProperty("epoch").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("vips")[2].GetProperty("owner").ValueKind);
    }

    [Fact]
    public void A_document_from_a_node_before_the_why_column_reads_with_an_empty_why()
    {
        var old = System.Text.RegularExpressions.Regex.Replace(Sample().ToJson(), ",\\s*\"why\": \"[a-z]*\"", "");
        Assert.DoesNotContain("\"why\"", old);
        Assert.Equal("", StatusDocument.FromJson(old).Vips[0].Why);
    }

    [Fact]
    public void Something_else_than_a_status_document_is_a_json_exception()
    {
        Assert.Throws<JsonException>(() => StatusDocument.FromJson("{\"node\": \"x\"}"));
        Assert.ThrowsAny<JsonException>(() => StatusDocument.FromJson("<html>"));
    }

    [Fact]
    public void The_table_lists_members_owners_epochs_ipvs_rules_and_backend_health()
    {
        var lines = StatusTable.Render(Sample()).Split('\n');
        Assert.Equal($"allocator  {A}", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("ready      no (", StringComparison.Ordinal));
        Assert.Contains("MEMBER                               STATUS  REACHABLE  ROLES", lines);
        Assert.Contains($"{B}  Up      no         vip", lines);
        Assert.Contains($"192.0.2.100  {B}  5      no         preferred", lines);
        Assert.Contains($"192.0.2.101  {A}  7      yes        link", lines);
        Assert.Contains("192.0.2.102  none                                 -      no         -", lines);
        Assert.Contains("  -a -t 192.0.2.101:443 -r 198.51.100.11:6443 -m -w 0", lines);
        Assert.Contains("192.0.2.101  tcp 443  198.51.100.11:6443  failing", lines);
    }
}
