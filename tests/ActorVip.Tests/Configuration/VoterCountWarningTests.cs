using ActorVip.Node.Configuration;

namespace ActorVip.Tests.Configuration;

/// <summary>An even number of voting nodes is accepted with one warning line that says what it costs (issue 13 §2.5).</summary>
public class VoterCountWarningTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void An_odd_number_of_nodes_is_not_warned_about(int nodes) => Assert.Null(VoterCountWarning.For(nodes));

    [Theory]
    [InlineData(2, "nodes = 2: the lease needs a majority of 2, both nodes, so the VIP can never fail over", "use 3 nodes")]
    [InlineData(4, "nodes = 4: the lease needs a majority of 3, so a 2-2 split leaves nobody answering the VIP", "use 3 or 5 nodes")]
    [InlineData(6, "a 3-3 split", "use 5 or 7 nodes")]
    public void An_even_number_of_nodes_is_one_warning_line_naming_why_and_the_fix(int nodes, string why, string fix)
    {
        var warning = VoterCountWarning.For(nodes);
        Assert.NotNull(warning);
        Assert.StartsWith("actorvip: warning: ", warning);
        Assert.Contains(why, warning);
        Assert.Contains(fix, warning);
        Assert.DoesNotContain('\n', warning);
    }
}
