using ActorVip.Lab.Cli;
using ActorVip.Lab.Nemesis;

namespace ActorVip.Tests.Nemesis;

public class NemesisCommandTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("90s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_are_a_number_and_a_unit(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), NemesisCommand.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("ten minutes")]
    [InlineData("-5s")]
    [InlineData("5d")]
    public void Anything_else_is_not_a_duration(string text) => Assert.Null(NemesisCommand.ParseDuration(text));

    [Fact]
    public void Logs_naming_a_file_is_bad_input_before_anything_starts()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal(2, NemesisCommand.Create().Parse(["--logs", file]).Invoke());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("partition,bogus")]
    [InlineData("")]
    public void Faults_naming_something_else_is_bad_input_before_anything_starts(string faults) =>
        Assert.Equal(2, NemesisCommand.Create().Parse(["--faults", faults]).Invoke());

    [Fact]
    public void A_node_config_naming_no_file_is_bad_input_before_anything_starts() =>
        Assert.Equal(2, NemesisCommand.Create().Parse(["--node-config", "/nonexistent/actorvip-node.conf"]).Invoke());

    [Fact]
    public void Faults_are_read_in_the_schedules_order_whatever_order_they_are_named_in()
    {
        Assert.Equal([FaultKind.Partition, FaultKind.RollingRestart], NemesisCommand.ParseKinds("rolling-restart, partition", out var unknown));
        Assert.Null(unknown);
        Assert.Null(NemesisCommand.ParseKinds(null, out _));
    }
}
