using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership;

public class LeaseFingerprintTests
{
    private static readonly NodeId A = TestNodes.N1, B = TestNodes.N2, C = TestNodes.N3, D = TestNodes.N4;

    private static LeaseFingerprint Of(NodeId[] voters, int? nodes = null, double lease = 700, double renew = 250, double margin = 100) =>
        LeaseFingerprint.Of(new LeaseSettings(nodes ?? voters.Length, Ms.At(lease), Ms.At(renew), Ms.At(margin)), voters);

    [Fact]
    public void Every_part_safety_depends_on_changes_the_digest_and_renew_interval_does_not()
    {
        var baseline = Of([A, B, C]).Digest;
        Assert.Equal(baseline, Of([A, B, C]).Digest);
        Assert.NotEqual(baseline, Of([A, B, D]).Digest);
        Assert.NotEqual(baseline, Of([A, C, B]).Digest); // the order is part of the configuration every node shares
        Assert.NotEqual(baseline, Of([A, B, C], lease: 701).Digest);
        Assert.NotEqual(baseline, Of([A, B, C], margin: 101).Digest);
        Assert.NotEqual(Of([A]).Digest, Of([A], nodes: 1, lease: 700.0001).Digest); // sub-millisecond: ticks count
        // Renew-interval only sets how often the owner asks: nodes that differ in it are as safe as nodes that agree.
        Assert.Equal(baseline, Of([A, B, C], renew: 100).Digest);
    }

    [Fact]
    public void The_text_a_voter_sends_back_reads_as_the_same_fingerprint()
    {
        var fingerprint = Of([A, B, TestNodes.N5], lease: 5000, margin: 150);
        var read = LeaseFingerprint.Parse(fingerprint.Text)!;
        Assert.Equal((fingerprint.Digest, fingerprint.Text), (read.Digest, read.Text));
        Assert.Equal([A, B, TestNodes.N5], read.Voters);
        Assert.Equal((3, Ms.At(5000), Ms.At(150)), (read.Nodes, read.LeaseTime, read.Margin));
        Assert.Empty(fingerprint.Differences(read));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v2;nodes=3;lease-time=7000000;margin=1000000;voters=a")]
    [InlineData("v1;nodes=3;lease-time=7000000;margin=1000000")]
    [InlineData("v1;nodes=x;lease-time=7000000;margin=1000000;voters=a")]
    [InlineData("v1;nodes=3;margin=1000000;lease-time=7000000;voters=a")]
    public void A_text_this_version_would_not_write_is_not_understood(string? text)
    {
        Assert.Null(LeaseFingerprint.Parse(text));
    }

    [Fact]
    public void The_differences_name_each_setting_with_both_values()
    {
        var here = Of([A, B, C]);
        var there = Of([A, B, D], lease: 5000, margin: 150);
        Assert.Equal(
            [
                $"seeds (the voters, in order): [{A}, {B}, {C}] here, [{A}, {B}, {D}] there",
                "lease.lease-time: 700ms here, 5000ms there",
                "lease.margin: 100ms here, 150ms there",
            ],
            here.Differences(there));
        Assert.Equal(["nodes: 3 here, 1 there", $"seeds (the voters, in order): [{A}, {B}, {C}] here, [{A}] there"],
            here.Differences(Of([A])).Reverse());
        Assert.Single(here.Differences(null));
    }
}
