using ActorVip.Node.Logging;

namespace ActorVip.Tests.Logging;

public class RepeatedLinesTests
{
    private static readonly DateTime T0 = new(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_same_kind_within_the_window_is_counted_and_the_next_one_after_it_carries_the_count()
    {
        var repeats = new RepeatedLines(TimeSpan.FromSeconds(10));
        string Line(int port) => $"ts=2026-12-04T00:00:{port % 60:00}.000Z level=error source=AkkaProtocolManager msg=\"Error caught channel " +
            $"[192.0.2.66:{port}](Id={port * 7919:x8})\" exception=\"System.Exception: at line {port}\"";
        Assert.Equal((true, 0), repeats.Admit(Line(40000), T0));
        for (var i = 1; i <= 500; i++) Assert.Equal((false, 0), repeats.Admit(Line(40000 + i), T0.AddMilliseconds(i * 10)));
        Assert.Equal((true, 500), repeats.Admit(Line(41000), T0.AddSeconds(10)));
        Assert.Equal("x repeated=500", RepeatedLines.WithCount("x", 500, LogFormat.Logfmt));
        Assert.Equal("{\"msg\":\"x\",\"repeated\":\"500\"}", RepeatedLines.WithCount("{\"msg\":\"x\"}", 500, LogFormat.Json));
        Assert.Equal("x", RepeatedLines.WithCount("x", 0, LogFormat.Logfmt));
    }

    [Fact]
    public void Different_kinds_are_written_and_a_flood_of_distinct_lines_does_not_grow_without_bound()
    {
        var repeats = new RepeatedLines(TimeSpan.FromSeconds(10));
        Assert.True(repeats.Admit("level=error msg=a", T0).Write);
        Assert.True(repeats.Admit("level=error msg=b", T0).Write);
        for (var i = 0; i < 5000; i++) repeats.Admit($"level=error msg=x{new string((char)('a' + i % 26), 1 + i / 26)}", T0);
        Assert.True(repeats.Admit("level=error msg=c", T0).Write);
    }
}
