using ActorVip.Messages.Ownership;
using ActorVip.Node.Configuration;
using ActorVip.Ownership.Wire;
using Akka.TestKit.Xunit2;

namespace ActorVip.Tests.Wire;

/// <summary>The binary wire form of the ownership messages, in an actor system configured from reference.conf.</summary>
public sealed class OwnershipSerializerTests() : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local")
    .WithFallback(ConfigSources.Compose(null, new System.Collections.Hashtable(), new HoconOverrides())))
{
    public static TheoryData<object> Messages() =>
    [
        new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 638_000_123_456),
        new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 638_000_123_456, AckWanted: false),
        new RenewAck("2001:db8::100", long.MaxValue, N("akka.tcp://actorvip@[2001:db8::11]:4053"), 1),
        new RenewNack("192.0.2.100", 3, N("akka.tcp://actorvip@192.0.2.12:4053"), 42, NackReason.PromisedToOther, 4, N("akka.tcp://actorvip@192.0.2.13:4053")),
        new RenewNack("192.0.2.100", 3, N("akka.tcp://actorvip@192.0.2.12:4053"), 42, NackReason.Restarting, 3, null),
        new ReleaseLease("192.0.2.100", 9, N("akka.tcp://actorvip@192.0.2.11:4053")),
        GetPromises.Instance,
        new Assign("192.0.2.100", 2),
        new Revoke("192.0.2.101", 5),
        new Released("192.0.2.100", 2, N("akka.tcp://actorvip@192.0.2.11:4053")),
        new Released("192.0.2.100", 2, N("akka.tcp://actorvip@192.0.2.11:4053"), LearntEpoch: 7),
        new Leaving(N("akka.tcp://actorvip@192.0.2.11:4053")),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_flat_message_survives_the_round_trip_through_the_configured_serializer(object message)
    {
        var copy = RoundTrip(message);
        Assert.Equal(message, copy);
    }

    [Fact]
    public void A_renewal_from_a_version_without_the_ack_flag_wants_an_ack()
    {
        var serializer = (Akka.Serialization.SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new Renew("v", 1, N("o"), 1));
        var bytes = serializer.ToBinary(new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 9, AckWanted: false));
        var before = bytes[..^1]; // what an older node writes: no flag after the renewal id
        Assert.Equal(new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 9), serializer.FromBinary(before, "renew"));
    }

    [Fact]
    public void Renewal_batches_and_their_answers_survive_the_round_trip_through_the_configured_serializer()
    {
        var batch = new RenewBatch(N("akka.tcp://actorvip@192.0.2.11:4053"), 638_000_123_456, null,
            [new RenewItem("192.0.2.100", 7, true), new RenewItem("2001:db8::100", long.MaxValue, false)]);
        var batchCopy = (RenewBatch)RoundTrip(batch);
        Assert.Equal((batch.Owner, batch.RenewalId, batch.Fingerprint), (batchCopy.Owner, batchCopy.RenewalId, batchCopy.Fingerprint));
        Assert.Equal(batch.Items, batchCopy.Items);
        var empty = (RenewBatch)RoundTrip(batch with { Fingerprint = 42, Items = [] });
        Assert.Equal(42, empty.Fingerprint);
        Assert.Empty(empty.Items);

        var answers = new RenewAnswers(N("akka.tcp://actorvip@192.0.2.12:4053"), 9,
        [
            new RenewAnswer("192.0.2.100", 7),
            new RenewAnswer("192.0.2.101", 3, NackReason.Restarting, 3),
            new RenewAnswer("192.0.2.102", 3, NackReason.StaleEpoch, 5, N("akka.tcp://actorvip@192.0.2.13:4053")),
            new RenewAnswer("192.0.2.103", 1, NackReason.SettingsDiffer, 0, null, "v1;nodes=5"),
        ]);
        var answersCopy = (RenewAnswers)RoundTrip(answers);
        Assert.Equal((answers.Voter, answers.RenewalId), (answersCopy.Voter, answersCopy.RenewalId));
        Assert.Equal(answers.Items, answersCopy.Items);
    }

    [Fact]
    public void Promises_and_reports_with_their_collections_survive_the_round_trip()
    {
        var promises = new VoterPromises(N("akka.tcp://actorvip@192.0.2.12:4053"),
        [
            new PromiseInfo("192.0.2.100", N("akka.tcp://actorvip@192.0.2.11:4053"), 4, TimeSpan.FromMilliseconds(612.5), 4,
                N("akka.tcp://actorvip@192.0.2.11:4053")),
            new PromiseInfo("192.0.2.101", null, 0, TimeSpan.Zero, 2, null),
        ]);
        var copy = (VoterPromises)RoundTrip(promises);
        Assert.Equal(promises.Voter, copy.Voter);
        Assert.Equal(promises.Promises, copy.Promises);

        var report = new AgentReport(N("akka.tcp://actorvip@192.0.2.11:4053"), false, new Dictionary<string, long>
        {
            ["192.0.2.100"] = 4,
            ["2001:db8::100"] = 1
        });
        var reportCopy = (AgentReport)RoundTrip(report);
        Assert.Equal((report.Node, report.BackendHealthy), (reportCopy.Node, reportCopy.BackendHealthy));
        Assert.Equal(report.Holding.OrderBy(h => h.Key), reportCopy.Holding.OrderBy(h => h.Key));
        Assert.Empty(((AgentReport)RoundTrip(report with { Holding = new Dictionary<string, long>() })).Holding);
    }

    [Fact]
    public void Reference_conf_binds_every_type_the_serializer_writes()
    {
        foreach (var type in OwnershipSerializer.Types.Values)
            Assert.IsType<OwnershipSerializer>(Sys.Serialization.FindSerializerForType(type));
    }

    [Fact]
    public void A_renewal_is_a_few_dozen_bytes_not_a_json_document()
    {
        var bytes = Sys.Serialization.FindSerializerFor(new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 638_000_123_456))
            .ToBinary(new Renew("192.0.2.100", 7, N("akka.tcp://actorvip@192.0.2.11:4053"), 638_000_123_456));
        Assert.InRange(bytes.Length, 1, 80); // 65: two strings, two longs and the ack flag
    }

    [Fact]
    public void An_unknown_manifest_from_another_version_is_a_clear_error()
    {
        var serializer = (OwnershipSerializer)Sys.Serialization.FindSerializerForType(typeof(Renew));
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "future-message"));
        Assert.Contains("future-message", e.Message);
    }

    private static NodeId N(string address) => new(address);

    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<OwnershipSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }
}
