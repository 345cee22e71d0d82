using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorVip.Lab.Nemesis;

/// <summary>The nemesis's printed lines and its --out file (JSON when the name ends in .json, else TSV), from plain values.</summary>
public static class NemesisReport
{
    /// <summary>One line per fault: when (seconds on the client's clock), what, to whom, who owned the VIP before, the outage.</summary>
    public static string Line(FaultOutcome o, int nodes)
    {
        var w = o.Window;
        var line = $"#{o.Fault.Index + 1,-3} {w.At.TotalSeconds,8:0.000} s  {o.Fault.Name,-15} {o.Fault.Describe(nodes)}; owner before {w.Owner ?? "none"}; "
            + $"outage {o.Outage.TotalMilliseconds:0} ms";
        if (o.Dual.Count > 0) line += $"; DUAL OWNERSHIP {o.Dual.Count} moments";
        if (w.NotCountedCause is not null) line += $" (not counted: {w.NotCountedCause})";
        return line;
    }

    public static void Write(string path, NemesisOptions options, IReadOnlyList<FaultOutcome> outcomes, NemesisVerdict verdict)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) File.WriteAllText(path, Json(options, outcomes, verdict));
        else File.WriteAllText(path, Tsv(options, outcomes, verdict));
    }

    /// <summary>Every fault and every dual-ownership moment, one row each; times in ms on the client's clock.</summary>
    public static string Tsv(NemesisOptions options, IReadOnlyList<FaultOutcome> outcomes, NemesisVerdict verdict)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {options.Replay}\n");
        text.Append("event\tat_ms\tend_ms\tkind\ttargets\thold_ms\towner_before\tcounted\toutage_ms\tdual_moments\tcause\n");
        foreach (var o in outcomes)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"fault\t{Ms(o.Window.At)}\t{Ms(o.Window.End)}\t{o.Fault.Name}\t{Targets(o.Fault)}\t{Ms(o.Fault.Hold)}\t{o.Window.Owner ?? ""}\t");
            text.Append(CultureInfo.InvariantCulture, $"{(o.Counted ? "yes" : "no")}\t{Ms(o.Outage)}\t{o.Dual.Count}\t{o.Window.NotCountedCause ?? ""}\n");
        }
        foreach (var d in verdict.Dual)
            text.Append(CultureInfo.InvariantCulture, $"dual\t{Ms(d.From)}\t{Ms(d.To)}\t\t{string.Join(",", d.Macs)}\t\t\t\t\t\t\n");
        return text.ToString();
    }

    public static string Json(NemesisOptions options, IReadOnlyList<FaultOutcome> outcomes, NemesisVerdict verdict)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("nodes", options.Nodes);
            json.WriteNumber("seed", options.Seed);
            json.WriteNumber("duration_ms", Ms(options.Duration));
            json.WriteNumber("settle_ms", Ms(options.Settle));
            json.WriteString("replay", options.Replay);
            json.WriteStartArray("faults");
            foreach (var o in outcomes)
            {
                json.WriteStartObject();
                json.WriteNumber("index", o.Fault.Index + 1);
                json.WriteNumber("at_ms", Ms(o.Window.At));
                json.WriteNumber("end_ms", Ms(o.Window.End));
                json.WriteString("kind", o.Fault.Name);
                json.WriteString("targets", Targets(o.Fault));
                json.WriteNumber("hold_ms", Ms(o.Fault.Hold));
                json.WriteString("owner_before", o.Window.Owner);
                json.WriteBoolean("counted", o.Counted);
                json.WriteString("cause", o.Window.NotCountedCause);
                json.WriteNumber("outage_ms", Ms(o.Outage));
                json.WriteNumber("dual_moments", o.Dual.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("dual");
            foreach (var d in verdict.Dual)
            {
                json.WriteStartObject();
                json.WriteNumber("from_ms", Ms(d.From));
                json.WriteNumber("to_ms", Ms(d.To));
                json.WriteString("macs", string.Join(",", d.Macs));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("verdict");
            json.WriteBoolean("holds", verdict.Holds);
            json.WriteNumber("dual_moments", verdict.Dual.Count);
            json.WriteNumber("counted", verdict.Counted.Count);
            if (verdict.P50 is { } p50) json.WriteNumber("outage_p50_ms", Ms(p50));
            if (verdict.Max is { } max) json.WriteNumber("outage_max_ms", Ms(max));
            json.WriteNumber("over_bound", verdict.OverBound.Count);
            json.WriteNumber("not_counted", verdict.NotCounted.Count);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>"n1,n3"; for a one-way drop "n1->" (frames from n1 dropped) or "->n1" (frames to n1 dropped).</summary>
    private static string Targets(PlannedFault f)
    {
        var names = string.Join(",", f.Targets.Select(i => $"n{i + 1}"));
        if (f.Kind != FaultKind.OneWayDrop) return names;
        return f.FromTargets ? $"{names}->" : $"->{names}";
    }

    private static long Ms(TimeSpan t) => (long)Math.Round(t.TotalMilliseconds);
}
