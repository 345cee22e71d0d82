using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

public class RiseFallTests
{
    public static TheoryData<string, int, int, string> Sequences => new()
    {
        // results (+ pass, - fail), rise, fall, verdict after each result (U up, D down)
        { "++++", 2, 2, "UUUU" },
        { "-", 2, 2, "U" },
        { "--", 2, 2, "UD" },
        { "-+-+-+", 2, 2, "UUUUUU" },
        { "--+", 2, 2, "UDD" },
        { "--++", 2, 2, "UDDU" },
        { "--+-++", 2, 2, "UDDDDU" },
        { "-", 1, 1, "D" },
        { "-+", 1, 1, "DU" },
        { "---+++", 3, 3, "UUDDDU" },
        { "--+++", 3, 2, "UDDDU" },
        { "---++", 1, 3, "UUDUU" },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Fall_failures_in_a_row_take_it_out_and_rise_successes_in_a_row_bring_it_back(string results, int rise, int fall, string verdicts)
    {
        var state = HealthState.Initial;
        var seen = "";
        foreach (var r in results)
        {
            state = RiseFall.Next(state, r == '+', rise, fall);
            seen += state.Healthy ? 'U' : 'D';
        }
        Assert.Equal(verdicts, seen);
    }

    [Fact]
    public void A_backend_starts_healthy()
    {
        Assert.True(HealthState.Initial.Healthy);
        Assert.Equal(0, HealthState.Initial.Streak);
    }
}
