using System.Text;
using System.Text.Json;
using ActorVip.Messages.Ownership;
using ActorVip.Node.Ipvs.Rules;

namespace ActorVip.Node.Observability;

/// <summary>
/// A VIP's owner and epoch as this node's voter promised it (Owner null: no live promise); HeldHere: this node holds it; Why: the
/// allocator's reason it is where it is (<see cref="PlacementEntry.Reason"/>), empty when the allocator did not answer.
/// </summary>
public sealed record VipStatus(string Vip, string? Owner, long Epoch, bool HeldHere, string Why = "");

/// <summary>The IPVS rules (ipvsadm -S lines) this node programs for a VIP.</summary>
public sealed record IpvsStatus(string Vip, IReadOnlyList<string> Rules);

/// <summary>A backend of a VIP's service (e.g. "udp 53"; empty from a node that did not say) and its health.</summary>
public sealed record BackendStatus(string Vip, string Backend, bool Healthy, string Service = "");

/// <summary>
/// What `GET /status` answers and `actorvip status` prints: the members, the allocator's node, each VIP's owner
/// and epoch, and the IPVS table and backend health of the answering node. Written and read as JSON by hand
/// (Utf8JsonWriter / JsonDocument), so no reflection-based serializer is needed.
/// </summary>
public sealed record StatusDocument(
    string Node,
    bool Ready,
    string ReadyReason,
    string? Allocator,
    IReadOnlyList<ObservedMember> Members,
    IReadOnlyList<VipStatus> Vips,
    IReadOnlyList<IpvsStatus> Ipvs,
    IReadOnlyList<BackendStatus> Backends)
{
    public static StatusDocument Build(ClusterView view, ProbeVerdict readiness, IReadOnlyList<PromiseInfo> promises, NodeObservations local,
        PlacementReport? placement = null)
    {
        var vips = local.Vips.Select(vip =>
        {
            var promise = promises.FirstOrDefault(p => p.Vip == vip && p.PromisedTo is not null);
            var heldHere = local.Held.TryGetValue(vip, out var heldEpoch);
            var why = placement?.Vips.FirstOrDefault(e => e.Vip == vip)?.Reason ?? "";
            return promise is not null
                ? new VipStatus(vip, promise.PromisedTo?.Value, promise.PromisedEpoch, heldHere, why)
                : new VipStatus(vip, heldHere ? local.Self : null, heldHere ? heldEpoch : 0, heldHere, why);
        }).ToList();
        var balanced = local.Balanced.Values.OrderBy(b => b.Vip, StringComparer.Ordinal).ToList();
        var ipvs = balanced.Select(b => new IpvsStatus(b.Vip, IpvsRulesPrinter.Save(b.Table).Split('\n', StringSplitOptions.RemoveEmptyEntries))).ToList();
        var backends = balanced.SelectMany(b => b.Backends.Select(h => new BackendStatus(b.Vip, h.Backend.ToString(), h.Healthy, h.Service))).ToList();
        return new StatusDocument(view.Self, readiness.Ok, readiness.Reason, view.Allocator, view.Members, vips, ipvs, backends);
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("node", Node);
            w.WriteBoolean("ready", Ready);
            w.WriteString("readyReason", ReadyReason);
            w.WriteString("allocator", Allocator);
            w.WriteStartArray("members");
            foreach (var m in Members)
            {
                w.WriteStartObject();
                w.WriteString("address", m.Address);
                w.WriteString("status", m.Status);
                w.WriteStartArray("roles");
                foreach (var r in m.Roles) w.WriteStringValue(r);
                w.WriteEndArray();
                w.WriteBoolean("reachable", m.Reachable);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("vips");
            foreach (var v in Vips)
            {
                w.WriteStartObject();
                w.WriteString("vip", v.Vip);
                w.WriteString("owner", v.Owner);
                w.WriteNumber("epoch", v.Epoch);
                w.WriteBoolean("heldHere", v.HeldHere);
                w.WriteString("why", v.Why);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("ipvs");
            foreach (var i in Ipvs)
            {
                w.WriteStartObject();
                w.WriteString("vip", i.Vip);
                w.WriteStartArray("rules");
                foreach (var r in i.Rules) w.WriteStringValue(r);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("backends");
            foreach (var b in Backends)
            {
                w.WriteStartObject();
                w.WriteString("vip", b.Vip);
                w.WriteString("backend", b.Backend);
                w.WriteBoolean("healthy", b.Healthy);
                w.WriteString("service", b.Service);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Reads a document written by <see cref="ToJson"/>; throws <see cref="JsonException"/> on anything else.</summary>
    public static StatusDocument FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            return new StatusDocument(
                root.GetProperty("node").GetString() ?? "",
                root.GetProperty("ready").GetBoolean(),
                root.GetProperty("readyReason").GetString() ?? "",
                root.GetProperty("allocator").GetString(),
                root.GetProperty("members").EnumerateArray().Select(m => new ObservedMember(
                    m.GetProperty("address").GetString() ?? "", m.GetProperty("status").GetString() ?? "",
                    m.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? "").ToList(), m.GetProperty("reachable").GetBoolean())).ToList(),
                root.GetProperty("vips").EnumerateArray().Select(v => new VipStatus(
                    v.GetProperty("vip").GetString() ?? "", v.GetProperty("owner").GetString(), v.GetProperty("epoch").GetInt64(),
                        v.GetProperty("heldHere").GetBoolean(), v.TryGetProperty("why", out var why) ? why.GetString() ?? "" : "")).ToList(),
                root.GetProperty("ipvs").EnumerateArray().Select(i => new IpvsStatus(
                    i.GetProperty("vip").GetString() ?? "", i.GetProperty("rules").EnumerateArray().Select(r => r.GetString() ?? "").ToList())).ToList(),
                root.GetProperty("backends").EnumerateArray().Select(b => new BackendStatus(
                    b.GetProperty("vip").GetString() ?? "", b.GetProperty("backend").GetString() ?? "", b.GetProperty("healthy").GetBoolean(),
                    b.TryGetProperty("service", out var service) ? service.GetString() ?? "" : "")).ToList());
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw new JsonException($"not an actorvip status document ({e.Message})", e);
        }
    }
}
