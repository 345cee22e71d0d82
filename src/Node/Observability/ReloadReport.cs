using System.Text;
using System.Text.Json;
using ActorVip.Ownership;

namespace ActorVip.Node.Observability;

/// <summary>How a reload ended: its configuration applied (also when nothing changed), refused (invalid, unreadable), or handed to the node
/// agent, which did not confirm it in time.</summary>
public enum ReloadOutcome
{
    Applied,
    Refused,
    Unconfirmed,
}

/// <summary>One reload the node finished.</summary>
/// <param name="StartedUsec">CLOCK_MONOTONIC in microseconds when the node took up the SIGHUP, before it read the file: a reload that started
/// after a given signal was sent read the file after it (the clock is the host's, the same in every process).</param>
/// <param name="Line">The line the node logged for it (<see cref="Cli.ReloadPlan.Describe"/>, or the refusal).</param>
public sealed record ReloadDone(long StartedUsec, long FinishedUsec, ReloadOutcome Outcome, string Line);

/// <summary>
/// What GET /reload answers: the node's process id (so that `actorvip reload` knows it asks the process it signals) and the last reload it
/// finished (`actorvip reload` waits for one that started after its signal).
/// </summary>
public sealed record ReloadReport(int Pid, int Reloads, ReloadDone? Last)
{
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("pid", Pid);
            w.WriteNumber("reloads", Reloads);
            if (Last is { } last)
            {
                w.WriteStartObject("last");
                w.WriteNumber("startedUsec", last.StartedUsec);
                w.WriteNumber("finishedUsec", last.FinishedUsec);
                w.WriteString("outcome", last.Outcome.ToString().ToLowerInvariant());
                w.WriteString("line", last.Line);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("last");
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Reads a report written by <see cref="ToJson"/>; throws <see cref="JsonException"/> on anything else.</summary>
    public static ReloadReport FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var last = root.GetProperty("last");
            return new ReloadReport(root.GetProperty("pid").GetInt32(), root.GetProperty("reloads").GetInt32(), last.ValueKind == JsonValueKind.Null
                ? null
                : new ReloadDone(last.GetProperty("startedUsec").GetInt64(), last.GetProperty("finishedUsec").GetInt64(),
                    Enum.Parse<ReloadOutcome>(last.GetProperty("outcome").GetString() ?? "", ignoreCase: true), last.GetProperty("line").GetString() ?? ""));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new JsonException($"not an actorvip reload report ({e.Message})", e);
        }
    }
}

/// <summary>The node's reloads as the run loop finishes them (its one writer), read by /reload on the endpoint's threads.</summary>
public sealed class ReloadHistory
{
    private volatile ReloadReport _report = new(Environment.ProcessId, 0, null);

    public ReloadReport Report => _report;

    public void Finished(long startedUsec, ReloadOutcome outcome, string line) =>
        _report = _report with { Reloads = _report.Reloads + 1, Last = new ReloadDone(startedUsec, LinuxClocks.MonotonicMicroseconds(), outcome, line) };
}
