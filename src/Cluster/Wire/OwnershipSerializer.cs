using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace ActorVip.Ownership.Wire;

/// <summary>
/// The binary wire form of the ownership and placement messages (bound in reference.conf). Without it Akka
/// sends them as Newtonsoft JSON with type names: several times the CPU per renewal and ack, and 4 MB more
/// resident code and framework assemblies (XML, DataSet, TypeConverter) in every node.
/// Each message is its fields in declaration order; the manifest names the type.
/// </summary>
public sealed class OwnershipSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka reserves 0-40 for its own serializers.</summary>
    public const int Id = 4053;

    public override int Identifier => Id;

    /// <summary>Every type this serializer writes, by manifest; reference.conf binds each of them.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        ["renew"] = typeof(Renew),
        ["ack"] = typeof(RenewAck),
        ["nack"] = typeof(RenewNack),
        ["renew-batch"] = typeof(RenewBatch),
        ["answers"] = typeof(RenewAnswers),
        ["release"] = typeof(ReleaseLease),
        ["promises?"] = typeof(GetPromises),
        ["promises"] = typeof(VoterPromises),
        ["assign"] = typeof(Assign),
        ["revoke"] = typeof(Revoke),
        ["released"] = typeof(Released),
        ["leaving"] = typeof(Leaving),
        ["report"] = typeof(AgentReport),
        ["eligibility"] = typeof(Eligibility),
        ["placement?"] = typeof(GetPlacement),
        ["placement"] = typeof(PlacementReport),
        ["vip-health"] = typeof(VipHealthReport),
        ["placements"] = typeof(Placements),
        ["released-batch"] = typeof(ReleasedBatch),
        ["release-batch"] = typeof(ReleaseBatch),
        ["declaration"] = typeof(VipDeclaration),
        ["declaration?"] = typeof(GetDeclaration),
    };

    private static readonly Dictionary<Type, string> Manifests = Types.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{nameof(OwnershipSerializer)} cannot serialize {o.GetType()}", nameof(o));

    public override byte[] ToBinary(object obj)
    {
        // A renewal batch or its answers of 500 VIPs is ~12 KB: sized at once, not grown by doubling from 64 bytes 4 times a second.
        using var stream = new MemoryStream(obj switch
        {
            RenewBatch b => 64 + 32 * b.Items.Count,
            RenewAnswers a => 64 + 32 * a.Items.Count,
            _ => 64,
        });
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case Renew m:
                    w.Write(m.Vip); w.Write(m.Epoch); w.Write(m.Owner.Value); w.Write(m.RenewalId); w.Write(m.AckWanted);
                    // Only when there is one (always, from a node of this version): without it the bytes are 0.1.0's.
                    if (m.Fingerprint is { } fingerprint) w.Write(fingerprint);
                    break;
                case RenewAck m:
                    w.Write(m.Vip); w.Write(m.Epoch); w.Write(m.Voter.Value); w.Write(m.RenewalId);
                    break;
                case RenewNack m:
                    w.Write(m.Vip); w.Write(m.Epoch); w.Write(m.Voter.Value); w.Write(m.RenewalId);
                    w.Write((int)m.Reason); w.Write(m.HighestEpoch); WriteOptional(w, m.PromisedTo?.Value);
                    // Only with a settings refusal: every other refusal keeps the bytes of 0.1.0.
                    if (m.VoterFingerprint is not null) w.Write(m.VoterFingerprint);
                    break;
                case RenewBatch m:
                    w.Write(m.Owner.Value); w.Write(m.RenewalId);
                    w.Write(m.Fingerprint.HasValue);
                    if (m.Fingerprint is { } digest) w.Write(digest);
                    w.Write(m.Items.Count);
                    foreach (var item in m.Items)
                    {
                        w.Write(item.Vip); w.Write(item.Epoch); w.Write(item.AckWanted);
                    }
                    break;
                case RenewAnswers m:
                    w.Write(m.Voter.Value); w.Write(m.RenewalId);
                    w.Write(m.Items.Count);
                    foreach (var item in m.Items)
                    {
                        w.Write(item.Vip); w.Write(item.Epoch);
                        w.Write(item.Refusal.HasValue);
                        if (item.Refusal is not { } reason) continue;
                        w.Write((int)reason); w.Write(item.HighestEpoch); WriteOptional(w, item.PromisedTo?.Value); WriteOptional(w, item.VoterFingerprint);
                    }
                    break;
                case ReleaseLease m:
                    w.Write(m.Vip); w.Write(m.Epoch); w.Write(m.Owner.Value);
                    break;
                case GetPromises:
                    break;
                case VoterPromises m:
                    w.Write(m.Voter.Value);
                    w.Write(m.Promises.Count);
                    foreach (var p in m.Promises)
                    {
                        w.Write(p.Vip); WriteOptional(w, p.PromisedTo?.Value); w.Write(p.PromisedEpoch);
                        w.Write(p.PromiseRemaining.Ticks); w.Write(p.HighestEpoch); WriteOptional(w, p.HighestEpochOwner?.Value);
                    }
                    break;
                case Assign m:
                    w.Write(m.Vip); w.Write(m.Epoch);
                    break;
                case Revoke m:
                    w.Write(m.Vip); w.Write(m.Epoch);
                    break;
                case Released m:
                    w.Write(m.Vip); w.Write(m.Epoch); w.Write(m.Owner.Value);
                    // Only when there is one: a Released without it keeps the bytes of 0.1.0. A field added after this
                    // one must make it written always.
                    if (m.LearntEpoch != 0) w.Write(m.LearntEpoch);
                    break;
                case Leaving m:
                    w.Write(m.Node.Value);
                    break;
                case AgentReport m:
                    w.Write(m.Node.Value); w.Write(m.BackendHealthy);
                    w.Write(m.Holding.Count);
                    foreach (var (vip, epoch) in m.Holding)
                    {
                        w.Write(vip); w.Write(epoch);
                    }
                    break;
                case Eligibility m:
                    w.Write(m.Node.Value); w.Write(m.Eligible); w.Write(m.Reason);
                    // Only when there are some: an Eligibility about the whole node keeps the bytes of 0.1.0.
                    if (m.Vips is { } vips)
                    {
                        w.Write(vips.Count);
                        foreach (var vip in vips) w.Write(vip);
                    }
                    // The cause only after a list, and only when not a link's: every link's message keeps its bytes. A reader
                    // before the cause stops after the list and reads the VIPs named; after the reason it would read the cause
                    // as a list. So a node whose fence is broken names every VIP (Eligibility.Cause). A field added after this
                    // one must make the cause written always, and so the list.
                    if (m.Vips is not null && m.Cause != IneligibleCause.Link) w.Write((byte)m.Cause);
                    break;
                case GetPlacement:
                    break;
                case PlacementReport m:
                    w.Write(m.Allocator.Value);
                    w.Write(m.Vips.Count);
                    foreach (var v in m.Vips)
                    {
                        w.Write(v.Vip); WriteOptional(w, v.Owner?.Value); w.Write(v.Epoch); w.Write(v.Reason);
                    }
                    break;
                case VipHealthReport m:
                    w.Write(m.Node.Value);
                    w.Write(m.Vips.Count);
                    foreach (var entry in m.Vips)
                    {
                        w.Write(entry.Vip); w.Write((byte)entry.Health); w.Write(entry.ReleaseWhenNoneHealthy);
                    }
                    break;
                case Placements m:
                    w.Write(m.Revokes.Count);
                    foreach (var revoke in m.Revokes)
                    {
                        w.Write(revoke.Vip); w.Write(revoke.Epoch);
                    }
                    w.Write(m.Assigns.Count);
                    foreach (var assign in m.Assigns)
                    {
                        w.Write(assign.Vip); w.Write(assign.Epoch);
                    }
                    break;
                case ReleasedBatch m:
                    w.Write(m.Items.Count);
                    // Every field always: an item has no end of message to stop at.
                    foreach (var item in m.Items)
                    {
                        w.Write(item.Vip); w.Write(item.Epoch); w.Write(item.Owner.Value); w.Write(item.LearntEpoch);
                    }
                    break;
                case ReleaseBatch m:
                    w.Write(m.Owner.Value);
                    w.Write(m.Items.Count);
                    foreach (var item in m.Items)
                    {
                        w.Write(item.Vip); w.Write(item.Epoch);
                    }
                    break;
                case VipDeclaration m:
                    w.Write(m.Node.Value);
                    w.Write(m.Vips.Count);
                    // Every field of an item always: an item has no end of message to stop at. A field added later goes after the
                    // list, for every item at once (a reader before it stops after the list).
                    foreach (var vip in m.Vips)
                    {
                        w.Write(vip.Vip);
                        w.Write(vip.Preference.Count);
                        foreach (var node in vip.Preference) w.Write(node.Value);
                        w.Write(vip.Preempt); w.Write(vip.PreemptDelay.Ticks); w.Write(vip.MoveWhenNoneHealthy);
                    }
                    break;
                case GetDeclaration:
                    break;
                default:
                    throw new ArgumentException($"{nameof(OwnershipSerializer)} cannot serialize {obj.GetType()}", nameof(obj));
            }
        }
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        return manifest switch
        {
            // A renewal from a version before AckWanted ends after the id: it wants an ack. One from a version before the
            // fingerprint ends after AckWanted: it has none, and is decided as before.
            "renew" => new Renew(r.ReadString(), r.ReadInt64(), ReadNode(r), r.ReadInt64(), AtEnd(r) || r.ReadBoolean(), AtEnd(r) ? null : r.ReadInt64()),
            "ack" => new RenewAck(r.ReadString(), r.ReadInt64(), ReadNode(r), r.ReadInt64()),
            "nack" => new RenewNack(r.ReadString(), r.ReadInt64(), ReadNode(r), r.ReadInt64(), ReadReason(r), r.ReadInt64(), ReadOptionalNode(r),
                AtEnd(r) ? null : r.ReadString()),
            "renew-batch" => new RenewBatch(ReadNode(r), r.ReadInt64(), r.ReadBoolean() ? r.ReadInt64() : null, ReadRenewItems(r)),
            "answers" => new RenewAnswers(ReadNode(r), r.ReadInt64(), ReadAnswers(r)),
            "release" => new ReleaseLease(r.ReadString(), r.ReadInt64(), ReadNode(r)),
            "promises?" => GetPromises.Instance,
            "promises" => new VoterPromises(ReadNode(r), ReadPromises(r)),
            "assign" => new Assign(r.ReadString(), r.ReadInt64()),
            "revoke" => new Revoke(r.ReadString(), r.ReadInt64()),
            // A release from a version before LearntEpoch (or with none learnt) ends after the owner.
            "released" => new Released(r.ReadString(), r.ReadInt64(), ReadNode(r), r.BaseStream.Position == r.BaseStream.Length ? 0 : r.ReadInt64()),
            "leaving" => new Leaving(ReadNode(r)),
            "report" => new AgentReport(ReadNode(r), r.ReadBoolean(), ReadHolding(r)),
            // One about the whole node (or from a version before Vips) ends after the reason; a link's (or one from a
            // version before the cause) after the list.
            "eligibility" => new Eligibility(ReadNode(r), r.ReadBoolean(), r.ReadString(), AtEnd(r) ? null : ReadStrings(r),
                AtEnd(r) ? IneligibleCause.Link : ReadCause(r)),
            "placement?" => GetPlacement.Instance,
            "placement" => new PlacementReport(ReadNode(r), ReadPlacement(r)),
            "vip-health" => new VipHealthReport(ReadNode(r), ReadVipHealth(r)),
            "placements" => new Placements(ReadPairs(r, (vip, epoch) => new Revoke(vip, epoch)), ReadPairs(r, (vip, epoch) => new Assign(vip, epoch))),
            "released-batch" => new ReleasedBatch(ReadReleased(r)),
            "release-batch" => new ReleaseBatch(ReadNode(r), ReadPairs(r, (vip, epoch) => new ReleaseItem(vip, epoch))),
            "declaration" => new VipDeclaration(ReadNode(r), ReadDeclared(r)),
            "declaration?" => GetDeclaration.Instance,
            _ => throw new SerializationException($"{nameof(OwnershipSerializer)}: unknown manifest '{manifest}' (a node of another version?)"),
        };
    }

    private static void WriteOptional(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static bool AtEnd(BinaryReader r) => r.BaseStream.Position == r.BaseStream.Length;

    private static NodeId ReadNode(BinaryReader r) => new(r.ReadString());

    private static NodeId? ReadOptionalNode(BinaryReader r) => r.ReadBoolean() ? new NodeId(r.ReadString()) : null;

    private static NackReason ReadReason(BinaryReader r)
    {
        var value = r.ReadInt32();
        return Enum.IsDefined(typeof(NackReason), value)
            ? (NackReason)value
            : throw new SerializationException($"{nameof(OwnershipSerializer)}: unknown nack reason {value} (a node of another version?)");
    }

    /// <summary>A cause this version does not know (a newer node's) reads as a link's: the node cannot hold the VIPs it names.</summary>
    private static IneligibleCause ReadCause(BinaryReader r)
    {
        var value = r.ReadByte();
        return Enum.IsDefined(typeof(IneligibleCause), value) ? (IneligibleCause)value : IneligibleCause.Link;
    }

    private static IReadOnlyList<string> ReadStrings(BinaryReader r)
    {
        var items = new string[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++) items[i] = r.ReadString();
        return items;
    }

    /// <summary>A count, then that many VIPs each with its epoch.</summary>
    private static IReadOnlyList<T> ReadPairs<T>(BinaryReader r, Func<string, long, T> make)
    {
        var items = new T[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++) items[i] = make(r.ReadString(), r.ReadInt64());
        return items;
    }

    private static IReadOnlyList<Released> ReadReleased(BinaryReader r)
    {
        var items = new Released[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++) items[i] = new Released(r.ReadString(), r.ReadInt64(), ReadNode(r), r.ReadInt64());
        return items;
    }

    private static IReadOnlyList<DeclaredVip> ReadDeclared(BinaryReader r)
    {
        var items = new DeclaredVip[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++)
        {
            var vip = r.ReadString();
            var preference = new NodeId[r.ReadInt32()];
            for (var j = 0; j < preference.Length; j++) preference[j] = ReadNode(r);
            items[i] = new DeclaredVip(vip, preference, r.ReadBoolean(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadBoolean());
        }
        return items;
    }

    private static IReadOnlyList<RenewItem> ReadRenewItems(BinaryReader r)
    {
        var items = new RenewItem[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++) items[i] = new RenewItem(r.ReadString(), r.ReadInt64(), r.ReadBoolean());
        return items;
    }

    private static IReadOnlyList<RenewAnswer> ReadAnswers(BinaryReader r)
    {
        var items = new RenewAnswer[r.ReadInt32()];
        for (var i = 0; i < items.Length; i++)
        {
            var (vip, epoch) = (r.ReadString(), r.ReadInt64());
            items[i] = r.ReadBoolean()
                ? new RenewAnswer(vip, epoch, ReadReason(r), r.ReadInt64(), ReadOptionalNode(r), r.ReadBoolean() ? r.ReadString() : null)
                : new RenewAnswer(vip, epoch);
        }
        return items;
    }

    private static IReadOnlyList<PromiseInfo> ReadPromises(BinaryReader r)
    {
        var promises = new PromiseInfo[r.ReadInt32()];
        for (var i = 0; i < promises.Length; i++)
            promises[i] = new PromiseInfo(r.ReadString(), ReadOptionalNode(r), r.ReadInt64(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadInt64(),
                ReadOptionalNode(r));
        return promises;
    }

    private static IReadOnlyList<PlacementEntry> ReadPlacement(BinaryReader r)
    {
        var entries = new PlacementEntry[r.ReadInt32()];
        for (var i = 0; i < entries.Length; i++) entries[i] = new PlacementEntry(r.ReadString(), ReadOptionalNode(r), r.ReadInt64(), r.ReadString());
        return entries;
    }

    private static IReadOnlyList<VipHealthEntry> ReadVipHealth(BinaryReader r)
    {
        var entries = new VipHealthEntry[r.ReadInt32()];
        for (var i = 0; i < entries.Length; i++)
        {
            var vip = r.ReadString();
            var value = r.ReadByte();
            // A verdict this version does not know (a newer node's) counts as unknown: never as healthy.
            var health = Enum.IsDefined(typeof(VipHealth), (int)value) ? (VipHealth)value : VipHealth.Unknown;
            entries[i] = new VipHealthEntry(vip, health, r.ReadBoolean());
        }
        return entries;
    }

    private static IReadOnlyDictionary<string, long> ReadHolding(BinaryReader r)
    {
        var count = r.ReadInt32();
        var holding = new Dictionary<string, long>(count);
        for (var i = 0; i < count; i++) holding[r.ReadString()] = r.ReadInt64();
        return holding;
    }
}
