using System.Text;

namespace ActorVip.Node.Observability;

/// <summary>`actorvip status` without --json: the status document as aligned tables.</summary>
public static class StatusTable
{
    public static string Render(StatusDocument d)
    {
        d = Printable(d);
        var text = new StringBuilder();
        text.Append($"node       {d.Node}\n");
        text.Append($"ready      {(d.Ready ? "yes" : "no")} " +
            $"({(d.ReadyReason.StartsWith("ok: ", StringComparison.Ordinal) ? d.ReadyReason[4..] : d.ReadyReason)})\n");
        text.Append($"allocator  {d.Allocator ?? "none"}\n\n");
        Table(text, ["MEMBER", "STATUS", "REACHABLE", "ROLES"],
            d.Members.Select(m => new[] { m.Address, m.Status, m.Reachable ? "yes" : "no", string.Join(",", m.Roles) }));
        text.Append('\n');
        Table(text, ["VIP", "OWNER", "EPOCH", "HELD HERE", "WHY"],
            d.Vips.Select(v => new[] { v.Vip, v.Owner ?? "none", v.Owner is null ? "-" : v.Epoch.ToString(), v.HeldHere ? "yes" : "no",
                v.Why.Length == 0 ? "-" : v.Why }));
        text.Append('\n');
        if (d.Ipvs.Count == 0)
            text.Append("IPVS: this node programs no services\n");
        else
        {
            text.Append("IPVS (this node, ipvsadm -S format):\n");
            foreach (var rule in d.Ipvs.SelectMany(i => i.Rules)) text.Append("  ").Append(rule).Append('\n');
        }
        if (d.Backends.Count > 0)
        {
            text.Append('\n');
            Table(text, ["VIP", "SERVICE", "BACKEND", "HEALTH"],
                d.Backends.Select(b => new[] { b.Vip, b.Service, b.Backend, b.Healthy ? "healthy" : "failing" }));
        }
        return text.ToString();
    }

    /// <summary>
    /// The document with every control character escaped: the JSON comes from whatever answers on the metrics port,
    /// and an escape sequence in a member's name must not drive the terminal.
    /// </summary>
    private static StatusDocument Printable(StatusDocument d) => d with
    {
        Node = Clean(d.Node),
        ReadyReason = Clean(d.ReadyReason),
        Allocator = d.Allocator is null ? null : Clean(d.Allocator),
        Members = d.Members.Select(m => m with { Address = Clean(m.Address), Status = Clean(m.Status), Roles = m.Roles.Select(Clean).ToList() }).ToList(),
        Vips = d.Vips.Select(v => v with { Vip = Clean(v.Vip), Owner = v.Owner is null ? null : Clean(v.Owner), Why = Clean(v.Why) }).ToList(),
        Ipvs = d.Ipvs.Select(i => i with { Vip = Clean(i.Vip), Rules = i.Rules.Select(Clean).ToList() }).ToList(),
        Backends = d.Backends.Select(b => b with { Vip = Clean(b.Vip), Backend = Clean(b.Backend) }).ToList(),
    };

    private static string Clean(string text) => Program.OneLine(text);

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            text.Append(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).Append('\n');
    }
}
