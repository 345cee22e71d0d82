using ActorVip.Messages.Ownership;
using ActorVip.Ownership.Wire;

namespace ActorVip.Tests.Wire;

/// <summary>
/// Golden bytes of the ownership messages. Nodes of two releases talk to each other during a rolling upgrade, so the
/// bytes a released version wrote must still decode to the same message (docs/DESIGN.md, "Wire compatibility").
/// Each <c>ownership-wire-VERSION.tsv</c> is frozen when that version ships: manifest, tab, hex bytes, one message
/// a line, in the order of <see cref="Written"/>. Until a version ships, a new form of a message is a new row at the end.
/// </summary>
public sealed class WireCompatibilityTests
{
    private static readonly NodeId N11 = new("akka.tcp://actorvip@192.0.2.11:4053");
    private static readonly NodeId N12 = new("akka.tcp://actorvip@192.0.2.12:4053");
    private static readonly NodeId N13 = new("akka.tcp://actorvip@192.0.2.13:4053");
    private static readonly NodeId V6 = new("akka.tcp://actorvip@[2001:db8::11]:4053");

    /// <summary>What release 0.1.0 wrote, message by message (the file's lines, in order), as today's types read it.</summary>
    public static IReadOnlyList<object> Written { get; } =
    [
        new Renew("192.0.2.100", 7, N11, 638_000_123_456, AckWanted: false),
        new RenewAck("2001:db8::100", 8, V6, 638_000_123_456),
        new RenewNack("192.0.2.100", 3, N12, 42, NackReason.PromisedToOther, 4, N13),
        new RenewNack("192.0.2.100", 3, N12, 42, NackReason.Restarting, 3, null),
        new ReleaseLease("192.0.2.100", 9, N11),
        GetPromises.Instance,
        new VoterPromises(N12,
        [
            new PromiseInfo("192.0.2.100", N11, 4, TimeSpan.FromMilliseconds(612.5), 4, N11),
            new PromiseInfo("192.0.2.101", null, 0, TimeSpan.Zero, 2, null),
        ]),
        new Assign("192.0.2.100", 2),
        new Revoke("192.0.2.101", 5),
        new Released("192.0.2.100", 2, N11),
        new Leaving(N11),
        new AgentReport(N11, false, new Dictionary<string, long> { ["192.0.2.100"] = 4 }),
        // Added after the first rows, still in 0.1.0: Released with the epoch its owner learnt (issue 13 §2.4). The row
        // above without it is what a node before the field writes, and what this one writes when it learnt none.
        new Released("192.0.2.100", 2, N11, LearntEpoch: 7),
        // Added after those, still in 0.1.0 (issue 13 §2.3): Renew with the owner's lease fingerprint, and the refusal of a
        // voter with other settings, carrying its own fingerprint's text. The rows above are what a node before them wrote.
        new Renew("192.0.2.100", 7, N11, 638_000_123_456, AckWanted: true, Fingerprint: -3_750_763_034_362_895_579),
        new RenewNack("192.0.2.100", 7, N12, 638_000_123_456, NackReason.SettingsDiffer, 7, null,
            "v1;nodes=3;lease-time=50000000;margin=1000000;voters=akka.tcp://actorvip@192.0.2.11:4053,akka.tcp://actorvip@192.0.2.12:4053," +
            "akka.tcp://actorvip@192.0.2.13:4053"),
        // Added after those, still in 0.1.0 (issue 14 §2): a node whose VIP interface is down says it cannot hold VIPs.
        new Eligibility(N11, false, "interface eth1 has no carrier"),
        // Added after those, still in 0.1.0 (issue 15 §2): every VIP of an owner renewed in one message per voter, and a
        // voter's answers to it in one (an ack, a refusal naming whom it promised, a settings refusal with its fingerprint).
        new RenewBatch(N11, 638_000_123_456, -3_750_763_034_362_895_579,
            [new RenewItem("192.0.2.100", 7, AckWanted: true), new RenewItem("2001:db8::100", 8, AckWanted: false)]),
        new RenewAnswers(N12, 638_000_123_456,
        [
            new RenewAnswer("192.0.2.100", 7),
            new RenewAnswer("192.0.2.101", 3, NackReason.PromisedToOther, 4, N13),
            new RenewAnswer("2001:db8::100", 7, NackReason.SettingsDiffer, 7, null,
                "v1;nodes=3;lease-time=50000000;margin=1000000;voters=akka.tcp://actorvip@192.0.2.11:4053,akka.tcp://actorvip@192.0.2.12:4053," +
                "akka.tcp://actorvip@192.0.2.13:4053"),
        ]),
        // Added after those, still in 0.1.0 (issue 14 §3): `actorvip status` asks the allocator why each VIP is where it is.
        GetPlacement.Instance,
        new PlacementReport(N13, [new PlacementEntry("192.0.2.100", N11, 7, "preferred"), new PlacementEntry("2001:db8::100", null, 9, "unplaced")]),
        // Added after those, still in 0.1.0 (issue 14 §1): a node's health-check verdict per VIP.
        new VipHealthReport(N11,
            [new VipHealthEntry("192.0.2.100", VipHealth.Failing), new VipHealthEntry("2001:db8::100", VipHealth.Healthy, ReleaseWhenNoneHealthy: true)]),
        // Added after those, still in 0.1.0 (issue 14 §6): a node whose VIPs live on two interfaces, one of them down, names the
        // VIPs it cannot hold. The eligibility row above (the whole node) is what a node before the field wrote, and this one
        // writes when every VIP interface is down.
        new Eligibility(N11, false, "interface eth1 has no carrier", ["198.51.100.10", "2001:db8:1::10"]),
        // Added after those, still in 0.1.0 (issue 15 §2): what one decision tells one node, the Released of one message of an
        // agent, and the releases of the VIPs it silenced together, each in one message.
        new Placements([new Revoke("192.0.2.101", 5)], [new Assign("192.0.2.100", 2), new Assign("2001:db8::100", 3)]),
        new ReleasedBatch([new Released("192.0.2.100", 2, N11), new Released("2001:db8::100", 3, N11, LearntEpoch: 7)]),
        new ReleaseBatch(N11, [new ReleaseItem("192.0.2.100", 9), new ReleaseItem("2001:db8::100", 4)]),
        // Added after those, still in 0.1.0 (issue 14 §3): a node whose kernel fence is broken says so, so that `actorvip status`
        // says `fence` and not `link` for the move; it names every VIP, since the cause can only follow a list. The eligibility
        // rows above (no cause) are links', and what a node before the cause wrote for a broken fence too.
        new Eligibility(N11, false, FenceBroken, ["192.0.2.100", "2001:db8::100"], IneligibleCause.Fence),
        // Added after those, still in 0.1.0 (issue 14 §5): a node declares the VIPs it is configured for, and an allocator asks.
        new VipDeclaration(N11,
        [
            new DeclaredVip("192.0.2.100", [N11, N12], Preempt: true, TimeSpan.FromSeconds(3), MoveWhenNoneHealthy: false),
            new DeclaredVip("2001:db8::100", [], Preempt: false, TimeSpan.Zero, MoveWhenNoneHealthy: true),
        ]),
        GetDeclaration.Instance,
    ];

    private const string FenceBroken = "the kernel fence (nftables) can be neither refreshed nor installed again: nftables refused";

    private static readonly OwnershipSerializer Serializer = new(null!);

    private static IReadOnlyList<(string Manifest, byte[] Bytes)> Golden(string version) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Wire", $"ownership-wire-{version}.tsv"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(f => (f[0], Convert.FromHexString(f.Length > 1 ? f[1] : "")))
            .ToList();

    [Fact]
    public void Every_message_type_has_golden_bytes()
    {
        var manifests = Golden("0.1.0").Select(g => g.Manifest).ToHashSet();
        Assert.Equal(OwnershipSerializer.Types.Keys.Order(), manifests.Order());
    }

    [Fact]
    public void What_release_0_1_0_wrote_still_decodes_to_the_same_message()
    {
        var golden = Golden("0.1.0");
        Assert.Equal(Written.Count, golden.Count);
        for (var i = 0; i < golden.Count; i++)
            AssertSame(Written[i], Serializer.FromBinary(golden[i].Bytes, golden[i].Manifest));
    }

    [Fact]
    public void Today_the_encoder_writes_the_golden_bytes_and_manifests()
    {
        // When a message gains a field, this release writes more: freeze its own file and point this test at it.
        var golden = Golden("0.1.0");
        for (var i = 0; i < golden.Count; i++)
        {
            Assert.Equal(golden[i].Manifest, Serializer.Manifest(Written[i]));
            Assert.Equal(Convert.ToHexString(golden[i].Bytes), Convert.ToHexString(Serializer.ToBinary(Written[i])));
        }
    }

    [Fact]
    public void Nack_reasons_keep_their_wire_numbers()
    {
        Assert.Equal([0, 1, 2, 3, 4], new[]
        {
            NackReason.Restarting, NackReason.StaleEpoch, NackReason.PromisedToOther, NackReason.Released, NackReason.SettingsDiffer,
        }.Select(r => (int)r));
    }

    [Fact]
    public void Ineligible_causes_keep_their_wire_numbers()
    {
        Assert.Equal([0, 1], new[] { IneligibleCause.Link, IneligibleCause.Fence }.Select(c => (int)c));
    }

    /// <summary>
    /// A node before the cause reads an Eligibility up to its list (or its reason) and never looks further: the cause must be
    /// bytes after what it reads, and what it reads must keep the node off every VIP the message is about.
    /// </summary>
    [Fact]
    public void A_node_before_the_cause_reads_a_broken_fence_as_the_node_unable_to_hold_every_vip_it_names()
    {
        var fence = new Eligibility(N11, false, FenceBroken, ["192.0.2.100", "2001:db8::100"], IneligibleCause.Fence);
        var bytes = Serializer.ToBinary(fence);
        var before = Serializer.ToBinary(fence with { Cause = IneligibleCause.Link });

        Assert.Equal(Convert.ToHexString(before), Convert.ToHexString(bytes[..before.Length]));
        Assert.Equal([(byte)IneligibleCause.Fence], bytes[before.Length..]);
        // What it reads, as this version reads those bytes: every VIP named, for a link (the only cause it knows).
        var read = (Eligibility)Serializer.FromBinary(before, "eligibility");
        Assert.Equal(fence with { Cause = IneligibleCause.Link }, read);
        Assert.False(read.WholeNode);
        Assert.True(((Eligibility)Serializer.FromBinary(bytes, "eligibility")).WholeNode);
    }

    [Fact]
    public void A_cause_without_a_list_or_of_a_link_is_not_written_and_one_unknown_reads_as_a_link()
    {
        // Without a list the cause's byte would read as a list's count to a node before the cause: the bytes of 0.1.0.
        var wholeNode = new Eligibility(N11, false, FenceBroken);
        Assert.Equal(Serializer.ToBinary(wholeNode), Serializer.ToBinary(wholeNode with { Cause = IneligibleCause.Fence }));
        var some = new Eligibility(N11, false, "interface eth1 has no carrier", ["198.51.100.10"]);
        var link = Serializer.ToBinary(some);
        Assert.Equal(link, Serializer.ToBinary(some with { Cause = IneligibleCause.Link }));
        // A newer node's cause this version does not know: the node cannot hold the VIPs it names, as a link's.
        Assert.Equal(some, Serializer.FromBinary([.. link, 0xFE], "eligibility"));
    }

    /// <summary>Records compare collections by reference; compare those element by element.</summary>
    private static void AssertSame(object expected, object actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case VoterPromises e:
                var a = (VoterPromises)actual;
                Assert.Equal(e.Voter, a.Voter);
                Assert.Equal(e.Promises, a.Promises);
                break;
            case AgentReport e:
                var r = (AgentReport)actual;
                Assert.Equal((e.Node, e.BackendHealthy), (r.Node, r.BackendHealthy));
                Assert.Equal(e.Holding.OrderBy(h => h.Key), r.Holding.OrderBy(h => h.Key));
                break;
            case RenewBatch e:
                var b = (RenewBatch)actual;
                Assert.Equal((e.Owner, e.RenewalId, e.Fingerprint), (b.Owner, b.RenewalId, b.Fingerprint));
                Assert.Equal(e.Items, b.Items);
                break;
            case PlacementReport e:
                var p = (PlacementReport)actual;
                Assert.Equal(e.Allocator, p.Allocator);
                Assert.Equal(e.Vips, p.Vips);
                break;
            case VipHealthReport e:
                var h = (VipHealthReport)actual;
                Assert.Equal(e.Node, h.Node);
                Assert.Equal(e.Vips, h.Vips);
                break;
            case RenewAnswers e:
                var n = (RenewAnswers)actual;
                Assert.Equal((e.Voter, e.RenewalId), (n.Voter, n.RenewalId));
                Assert.Equal(e.Items, n.Items);
                break;
            case Placements e:
                var pl = (Placements)actual;
                Assert.Equal(e.Revokes, pl.Revokes);
                Assert.Equal(e.Assigns, pl.Assigns);
                break;
            case ReleasedBatch e:
                Assert.Equal(e.Items, ((ReleasedBatch)actual).Items);
                break;
            case ReleaseBatch e:
                var rb = (ReleaseBatch)actual;
                Assert.Equal(e.Owner, rb.Owner);
                Assert.Equal(e.Items, rb.Items);
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
