using ActorVip.Lab.Demo;

namespace ActorVip.Tests.Demo;

public class ObservationTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static Observation With(double[] replies, double[]? probes = null, (double At, string Mac)[]? answers = null, double end = 1000) =>
        new(replies.Select(Ms).ToList(), (probes ?? []).Select(Ms).ToList(), (answers ?? []).Select(a => new ArpAnswer(Ms(a.At),
            a.Mac)).ToList(), Ms(end), Ms(20));

    [Fact]
    public void Longest_silence_starts_at_the_last_reply_before_the_fault_and_ends_at_the_first_after()
    {
        var o = With([0, 10, 20, 30, 700, 710, 720], end: 730);
        Assert.Equal(Ms(670), o.LongestSilence(Ms(25), Ms(730)));
        Assert.Equal((Ms(30), Ms(700)), o.LongestSilenceSpan(Ms(25), Ms(730)));
    }

    [Fact]
    public void A_silence_that_lasts_to_the_end_counts_to_the_end()
    {
        var o = With([0, 10, 20], end: 5000);
        Assert.Equal(Ms(4980), o.LongestSilence(Ms(15), Ms(5000)));
        Assert.Null(o.FirstReplyAfter(Ms(20)));
    }

    [Fact]
    public void Two_macs_answering_one_probe_is_dual_ownership_and_a_clean_handover_is_not()
    {
        var probes = new double[] { 0, 20, 40, 60, 80 };
        var handover = With([], probes, [(1, "a"), (21, "a"), (41, "b"), (61, "b")]);
        Assert.Empty(handover.DualOwnership());
        Assert.Equal(TimeSpan.Zero, handover.DualOwnershipTime);

        var overlap = With([], probes, [(1, "a"), (21, "a"), (22, "b"), (41, "a"), (42, "b"), (61, "b")]);
        var windows = overlap.DualOwnership();
        Assert.Equal(2, windows.Count);
        Assert.Equal(["a", "b"], windows[0].Macs);
        Assert.Equal((Ms(20), Ms(40)), (windows[0].From, windows[0].To));
        Assert.Equal(Ms(40), overlap.DualOwnershipTime);
    }

    [Fact]
    public void Answers_before_the_first_probe_belong_to_no_window()
    {
        var o = With([], [10, 30], [(5, "a"), (6, "b"), (11, "a")]);
        Assert.Empty(o.DualOwnership());
        Assert.Equal(["a", "b"], o.OwnersBetween(Ms(0), Ms(10)));
    }

    [Fact]
    public void Another_node_answers_from_the_fault_to_the_first_answer_of_a_mac_other_than_the_old_owners()
    {
        var owner = new LabNode("n2", "ns-n2", System.Net.IPAddress.Parse("192.0.2.12"), "AA:00:00:00:00:02", "p2");
        var seen = With([], [0, 20, 40, 60, 80], [(1, "aa:00:00:00:00:02"), (21, "aa:00:00:00:00:02"), (41, "aa:00:00:00:00:02"), (61, "b")]);
        TrialResult Trial(double faultAt) => new("actorvip", FailoverScenario.Health, owner, [], null, Ms(faultAt), seen, null, [], "");
        // The old owner's answers after the fault (its MAC in another case) are not another node's.
        Assert.Equal(Ms(51), Trial(10).OtherNodeAnswers);
        Assert.Null(Trial(70).OtherNodeAnswers);
        Assert.Null((Trial(10) with { OldOwner = null }).OtherNodeAnswers);
    }

    [Fact]
    public void Health_is_named_on_its_own_and_is_not_in_all()
    {
        Assert.Equal([FailoverScenario.Health], FailoverScenarios.Parse("health"));
        Assert.DoesNotContain(FailoverScenario.Health, FailoverScenarios.Parse("all")!);
        Assert.Contains("health", FailoverScenarios.Names);
    }
}
