using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorVip.Node.Text;
using Akka.Event;

namespace ActorVip.Node.Logging;

/// <summary>How a log event is written: logfmt (key=value) or one JSON object; either way exactly one line.</summary>
public enum LogFormat
{
    Logfmt,
    Json,
}

/// <summary>
/// One log event as one line: ts, level, source (the logging class), msg, the template's key=value fields, and
/// the exception if any. Newlines and control characters are escaped, so an event never spans two lines.
/// </summary>
public static class LogLine
{
    public static string Format(LogEvent e, LogFormat format)
    {
        var (message, fields) = Content(e.Message);
        var level = e.LogLevel() switch
        {
            LogLevel.DebugLevel => "debug",
            LogLevel.InfoLevel => "info",
            LogLevel.WarningLevel => "warning",
            _ => "error",
        };
        var ts = e.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var exception = e.Cause?.ToString();
        return format == LogFormat.Json
            ? Json(ts, level, Source(e), message, fields, exception)
            : Logfmt(ts, level, Source(e), message, fields, exception);
    }

    public static string Logfmt(string ts, string level, string source, string message, IReadOnlyList<KeyValuePair<string, string>> fields, string? exception)
    {
        var b = new StringBuilder(160);
        b.Append("ts=").Append(ts).Append(" level=").Append(level).Append(" source=");
        AppendValue(b, source);
        b.Append(" msg=");
        AppendValue(b, message);
        foreach (var (key, value) in fields)
        {
            b.Append(' ').Append(key).Append('=');
            AppendValue(b, value);
        }
        if (exception is not null)
        {
            b.Append(" exception=");
            AppendValue(b, exception);
        }
        return b.ToString();
    }

    // Not inlined into Format, and its options in a class of their own (a static field here would be initialised
    // with LogLine): System.Text.Json (1 MB) loads only when the json format is used.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static string Json(string ts, string level, string source, string message, IReadOnlyList<KeyValuePair<string, string>> fields, string? exception)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer, JsonLines.Options))
        {
            w.WriteStartObject();
            w.WriteString("ts", ts);
            w.WriteString("level", level);
            w.WriteString("source", source);
            w.WriteString("msg", message);
            foreach (var (key, value) in fields) w.WriteString(key, value);
            if (exception is not null) w.WriteString("exception", exception);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Bare when it can be (no space, quote, '=' or control character, not empty); else quoted (QuotedText).</summary>
    public static void AppendValue(StringBuilder b, string value)
    {
        if (value.Length > 0 && !value.Any(c => c is ' ' or '"' or '=' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            b.Append(value);
            return;
        }
        QuotedText.Append(b, value);
    }

    private static (string, IReadOnlyList<KeyValuePair<string, string>>) Content(object? message) => message switch
    {
        LogMessage m => LogTemplate.Split(m.Format, m.Parameters().ToList()),
        null => ("", []),
        _ => (message.ToString() ?? "", []),
    };

    /// <summary>The logging class's name (NodeAgent, ClusterCoreDaemon), without a generic arity.</summary>
    private static string Source(LogEvent e)
    {
        // Akka's string sources ("remoting (akka://actorvip)") come with a placeholder class.
        var name = e.LogClass is { Name: not "DummyClassForStringSources" } logClass ? logClass.Name : e.LogSource ?? "";
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static class JsonLines
    {
        public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
