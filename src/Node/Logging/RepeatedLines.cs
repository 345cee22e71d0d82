using System.Text.RegularExpressions;

namespace ActorVip.Node.Logging;

/// <summary>
/// Holds back warnings and errors that repeat: the first of a kind is written, the same kind again within
/// <paramref name="window"/> is counted instead, and the first after the window carries the count. A hostile peer
/// sending garbage frames made Akka log two errors with stack traces per connection, 3.3 MB of log a second; now it is
/// one line per kind and window. A kind is the line without its time stamp, its numbers (ports, addresses, ids) or
/// anything past the first 300 characters; a DotNetty channel id counts as a number.
/// </summary>
public sealed partial class RepeatedLines(TimeSpan window)
{
    private const int MaxKinds = 1000;
    private readonly Dictionary<string, (DateTime Since, int Held)> _kinds = new();

    [GeneratedRegex(@"^ts=\S+ |""ts"":""[^""]*"",|Id=[0-9a-fA-F]+|[0-9]+")]
    private static partial Regex Varying();

    /// <summary>Whether to write <paramref name="line"/> now, and how many of its kind were held back before it.</summary>
    public (bool Write, int HeldBack) Admit(string line, DateTime now)
    {
        var kind = Varying().Replace(line.Length > 400 ? line[..400] : line, "#");
        if (kind.Length > 300) kind = kind[..300];
        if (_kinds.TryGetValue(kind, out var seen) && now - seen.Since < window)
        {
            _kinds[kind] = (seen.Since, seen.Held + 1);
            return (false, 0);
        }
        if (_kinds.Count >= MaxKinds)
        {
            foreach (var old in _kinds.Where(k => now - k.Value.Since >= window).Select(k => k.Key).ToList()) _kinds.Remove(old);
            // Still full: a flood of distinct lines; forget them rather than grow.
            if (_kinds.Count >= MaxKinds) _kinds.Clear();
        }
        _kinds[kind] = (now, 0);
        return (true, seen.Held);
    }

    /// <summary><paramref name="line"/> with a repeated=N field (the count held back since the last one written).</summary>
    public static string WithCount(string line, int heldBack, LogFormat format) => heldBack == 0 ? line
        : format == LogFormat.Json && line.EndsWith('}') ? $"{line[..^1]},\"repeated\":\"{heldBack}\"}}"
        : $"{line} repeated={heldBack}";
}
