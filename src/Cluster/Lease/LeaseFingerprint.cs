using System.Globalization;
using System.Text;

namespace ActorVip.Ownership;

/// <summary>
/// What the quorum lease's safety depends on, as one node sees it: the ordered voters (its seeds), their number N,
/// lease-time and margin. Two owners never overlap only if every voter that acks an owner counts the same majority and
/// promises at least as long as that owner's lease; a voter therefore acks only renewals whose fingerprint equals its
/// own (<see cref="VoterState"/>). Renew-interval is left out on purpose: it only sets how often the owner asks, while
/// the owner's lease is counted from each renewal's send with its own lease-time and the promise from the receipt with
/// the voter's lease-time + margin; nodes that differ in it are as safe as nodes that agree (only the number of
/// renewals that may be lost differs), and a rolling change of it keeps the VIP up.
/// </summary>
/// <remarks>
/// Renew carries only <see cref="Digest"/> (8 bytes, every renewal); a voter that refuses sends its <see cref="Text"/>
/// back, so that the owner can say in words which setting differs (<see cref="Differences"/>). Immutable, pure.
/// </remarks>
public sealed class LeaseFingerprint
{
    private const string Version = "v1";

    private LeaseFingerprint(IReadOnlyList<NodeId> voters, int nodes, TimeSpan leaseTime, TimeSpan margin)
    {
        Voters = voters;
        Nodes = nodes;
        LeaseTime = leaseTime;
        Margin = margin;
        Text = string.Create(CultureInfo.InvariantCulture,
            $"{Version};nodes={nodes};lease-time={leaseTime.Ticks};margin={margin.Ticks};voters={string.Join(',', voters.Select(v => v.Value))}");
        Digest = Fnv1a64(Encoding.UTF8.GetBytes(Text));
    }

    /// <summary>The voters in configured order (the seeds); the order is part of the configuration every node must share.</summary>
    public IReadOnlyList<NodeId> Voters { get; }

    /// <summary>The configured N (`nodes`).</summary>
    public int Nodes { get; }

    public TimeSpan LeaseTime { get; }

    public TimeSpan Margin { get; }

    /// <summary>The canonical text: what <see cref="Digest"/> is computed from, and what a refusing voter sends back.</summary>
    public string Text { get; }

    /// <summary>64-bit FNV-1a of <see cref="Text"/>: catches configurations that differ by mistake (it is not a secret).</summary>
    public long Digest { get; }

    /// <summary>The fingerprint of a node's lease settings and voters (its seeds, or itself alone).</summary>
    public static LeaseFingerprint Of(LeaseSettings settings, IReadOnlyList<NodeId> voters) =>
        new(voters.ToList(), settings.Voters, settings.LeaseTime, settings.Margin);

    /// <summary>Reads a <see cref="Text"/> sent by another node; null when it is not one this version understands.</summary>
    public static LeaseFingerprint? Parse(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(';');
        if (parts.Length != 5 || parts[0] != Version) return null;
        string? Field(int i, string name) => parts[i].StartsWith(name + "=", StringComparison.Ordinal) ? parts[i][(name.Length + 1)..] : null;
        if (!int.TryParse(Field(1, "nodes"), NumberStyles.None, CultureInfo.InvariantCulture, out var nodes)
            || !long.TryParse(Field(2, "lease-time"), NumberStyles.None, CultureInfo.InvariantCulture, out var leaseTime)
            || !long.TryParse(Field(3, "margin"), NumberStyles.None, CultureInfo.InvariantCulture, out var margin)
            || Field(4, "voters") is not { } voters)
            return null;
        var fingerprint = new LeaseFingerprint(voters.Length == 0 ? [] : voters.Split(',').Select(v => new NodeId(v)).ToList(), nodes,
            TimeSpan.FromTicks(leaseTime), TimeSpan.FromTicks(margin));
        // Only a text this version would write itself: anything else is not understood rather than half-read.
        return fingerprint.Text == text ? fingerprint : null;
    }

    /// <summary>
    /// Which settings differ between this node ("here") and <paramref name="other"/> ("there"), each as words naming the
    /// setting and both values; empty when they agree. A null <paramref name="other"/> (not understood) is one difference.
    /// </summary>
    public IReadOnlyList<string> Differences(LeaseFingerprint? other)
    {
        if (other is null)
            return ["the other node's settings could not be read (a node of another version?)"];
        var differences = new List<string>();
        if (!Voters.SequenceEqual(other.Voters))
            differences.Add($"seeds (the voters, in order): [{string.Join(", ", Voters)}] here, [{string.Join(", ", other.Voters)}] there");
        if (Nodes != other.Nodes)
            differences.Add($"nodes: {Nodes} here, {other.Nodes} there");
        if (LeaseTime != other.LeaseTime)
            differences.Add($"lease.lease-time: {Ms(LeaseTime)} here, {Ms(other.LeaseTime)} there");
        if (Margin != other.Margin)
            differences.Add($"lease.margin: {Ms(Margin)} here, {Ms(other.Margin)} there");
        return differences;
    }

    public override string ToString() => Text;

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.###}ms");

    private static long Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return unchecked((long)hash);
    }
}
