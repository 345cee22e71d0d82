using System.Text.Json;
using ActorVip.Node.Actors;
using ActorVip.Node.Logging;
using Akka.Event;

namespace ActorVip.Tests.Logging;

/// <summary>The one-line formats: template fields, quoting, escaping, exceptions, and JSON that parses.</summary>
public class LogLineTests
{
    private static readonly DateTime At = new(2026, 11, 27, 10, 0, 0, 123, DateTimeKind.Utc);

    private sealed class Template(string format, object[] args) : LogMessage(DefaultLogMessageFormatter.Instance, format)
    {
        public override string Unformatted() => string.Join(",", args);
        public override IEnumerable<object> Parameters() => args;
        public override string ToString() => Formatter.Format(Format, args);
    }

    private static LogEvent Event(LogLevel level, string template, object[] args, Exception? cause = null)
    {
        var message = new Template(template, args);
        const string source = "akka://actorvip/user/agent";
        return WithTime(level switch
        {
            LogLevel.InfoLevel => new Info(cause, source, typeof(NodeAgent), message),
            LogLevel.WarningLevel => new Warning(cause, source, typeof(NodeAgent), message),
            _ => new Error(cause, source, typeof(NodeAgent), message),
        });
    }

    private static LogEvent WithTime(LogEvent e)
    {
        typeof(LogEvent).GetProperty(nameof(LogEvent.Timestamp))!.SetValue(e, At);
        return e;
    }

    /// <summary>A thrown exception, so that it has a multi-line stack trace.</summary>
    private static Exception Thrown(string message)
    {
        try { throw new InvalidOperationException(message); }
        catch (InvalidOperationException e) { return e; }
    }

    [Fact]
    public void Ownership_template_becomes_message_and_vip_epoch_node_fields()
    {
        var line = LogLine.Format(Event(LogLevel.InfoLevel, "lease granted vip={0} epoch={1} node={2} valid-for-ms={3}", ["192.0.2.100", 3L,
            "akka.tcp://actorvip@192.0.2.11:4053", 598]), LogFormat.Logfmt);
        Assert.Equal("ts=2026-11-27T10:00:00.123Z level=info source=NodeAgent msg=\"lease granted\" vip=192.0.2.100 epoch=3 " +
            "node=akka.tcp://actorvip@192.0.2.11:4053 valid-for-ms=598", line);
    }

    [Fact]
    public void Akkas_named_holes_are_filled_by_position_and_string_sources_keep_their_name()
    {
        var message = new Template("CoordinatedShutdown invoked due to [Reason:{Reason}]. Exiting with [ExitCode:{ExitCode}].", ["ClusterDowning", 0]);
        var line = LogLine.Format(WithTime(new Info(null, "remoting (akka://actorvip)", typeof(DummyClassForStringSources), message)), LogFormat.Logfmt);
        Assert.Equal("ts=2026-11-27T10:00:00.123Z level=info source=\"remoting (akka://actorvip)\" msg=\"CoordinatedShutdown invoked due to " +
            "[Reason:ClusterDowning]. Exiting with [ExitCode:0].\"", line);
    }

    [Fact]
    public void Values_with_spaces_quotes_or_newlines_are_quoted_and_escaped_on_one_line()
    {
        var line = LogLine.Format(Event(LogLevel.WarningLevel, "releasing vip={0} epoch={1} node={2} reason={3}", ["192.0.2.100", 4L, "n1",
            "stopping \"now\"\nsecond line\ttab\\"]), LogFormat.Logfmt);
        Assert.Equal("ts=2026-11-27T10:00:00.123Z level=warning source=NodeAgent msg=releasing vip=192.0.2.100 epoch=4 node=n1 reason=\"stopping " +
            "\\\"now\\\"\\nsecond line\\ttab\\\\\"", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Empty_values_and_values_with_equals_signs_are_quoted()
    {
        var line = LogLine.Format(Event(LogLevel.InfoLevel, "tls peer={0} subject={1}", ["", "CN=n3"]), LogFormat.Logfmt);
        Assert.EndsWith("msg=tls peer=\"\" subject=\"CN=n3\"", line);
    }

    [Fact]
    public void Text_around_the_fields_stays_in_the_message()
    {
        var line = LogLine.Format(Event(LogLevel.InfoLevel, "backend {0} is {1} after {2} checks in a row", ["192.0.2.21:6443", "failing",
            2]), LogFormat.Logfmt);
        Assert.EndsWith("msg=\"backend 192.0.2.21:6443 is failing after 2 checks in a row\"", line);
        var mixed = LogLine.Format(Event(LogLevel.InfoLevel, "vip={0}: {1}", ["192.0.2.100", "add service tcp 192.0.2.100:6443"]), LogFormat.Logfmt);
        Assert.EndsWith("msg=\"add service tcp 192.0.2.100:6443\" vip=192.0.2.100", mixed);
    }

    [Fact]
    public void An_exception_with_a_multi_line_stack_is_one_escaped_field()
    {
        var line = LogLine.Format(Event(LogLevel.ErrorLevel, "programming IPVS failed vip={0}", ["192.0.2.100"], Thrown("boom\nsecond")), LogFormat.Logfmt);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("exception=\"System.InvalidOperationException: boom\\nsecond\\n   at ", line);
        Assert.StartsWith("ts=2026-11-27T10:00:00.123Z level=error source=NodeAgent msg=\"programming IPVS failed\" vip=192.0.2.100 exception=", line);
    }

    [Fact]
    public void Json_lines_parse_and_carry_the_same_fields()
    {
        var line = LogLine.Format(Event(LogLevel.ErrorLevel, "lease lost, dropping the VIP vip={0} epoch={1} node={2}", ["2001:db8::10", 9L,
            "akka.ssl.tcp://actorvip@[2001:db8::11]:4053"], Thrown("boom \"quoted\"\nsecond")), LogFormat.Json);
        Assert.DoesNotContain('\n', line);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("2026-11-27T10:00:00.123Z", root.GetProperty("ts").GetString());
        Assert.Equal("error", root.GetProperty("level").GetString());
        Assert.Equal("NodeAgent", root.GetProperty("source").GetString());
        Assert.Equal("lease lost, dropping the VIP", root.GetProperty("msg").GetString());
        Assert.Equal("2001:db8::10", root.GetProperty("vip").GetString());
        Assert.Equal("9", root.GetProperty("epoch").GetString());
        Assert.Equal("akka.ssl.tcp://actorvip@[2001:db8::11]:4053", root.GetProperty("node").GetString());
        Assert.StartsWith("System.InvalidOperationException: boom \"quoted\"\nsecond", root.GetProperty("exception").GetString());
    }

    [Fact]
    public void A_plain_string_message_and_a_generic_source_are_written_as_is()
    {
        var e = WithTime(new Info("akka://actorvip/system", typeof(List<int>), "Cluster Node [akka.tcp://actorvip@192.0.2.11:4053] - Leader is moving node " +
            "[akka.tcp://actorvip@192.0.2.11:4053] to [Up]"));
        Assert.Equal("ts=2026-11-27T10:00:00.123Z level=info source=List msg=\"Cluster Node [akka.tcp://actorvip@192.0.2.11:4053] - Leader is moving node " +
            "[akka.tcp://actorvip@192.0.2.11:4053] to [Up]\"", LogLine.Format(e, LogFormat.Logfmt));
    }
}
