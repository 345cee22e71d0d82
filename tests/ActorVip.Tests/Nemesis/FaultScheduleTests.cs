using ActorVip.Lab.Nemesis;

namespace ActorVip.Tests.Nemesis;

public class FaultScheduleTests
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    [Fact]
    public void The_same_seed_gives_the_same_schedule()
    {
        var a = FaultSchedule.Plan(42, 5, TenMinutes, Settle);
        var b = FaultSchedule.Plan(42, 5, TenMinutes, Settle);
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal((a[i].Index, a[i].PlannedAt, a[i].Kind, a[i].Hold, a[i].FromTargets),
                (b[i].Index, b[i].PlannedAt, b[i].Kind, b[i].Hold, b[i].FromTargets));
            Assert.Equal(a[i].Targets, b[i].Targets);
        }
    }

    [Fact]
    public void Naming_every_kind_gives_the_schedule_a_seed_always_gave()
    {
        static string Text(IReadOnlyList<PlannedFault> plan) =>
            string.Join(";", plan.Select(f => $"{f.Kind} {string.Join(",", f.Targets)} {f.Hold.TotalMilliseconds} {f.FromTargets}"));
        Assert.Equal(Text(FaultSchedule.Plan(20261209, 5, TenMinutes, Settle)),
            Text(FaultSchedule.Plan(20261209, 5, TenMinutes, Settle, FaultSchedule.AllKinds)));
    }

    [Fact]
    public void A_schedule_of_chosen_kinds_has_only_those()
    {
        var plan = FaultSchedule.Plan(7, 5, TimeSpan.FromHours(1), Settle, [FaultKind.RollingRestart]);
        Assert.NotEmpty(plan);
        Assert.All(plan, f => Assert.Equal(FaultKind.RollingRestart, f.Kind));
        Assert.Throws<ArgumentException>(() => FaultSchedule.Plan(7, 5, TenMinutes, Settle, []));
    }

    [Fact]
    public void Another_seed_gives_another_schedule()
    {
        static string Text(int seed) =>
            string.Join(";", FaultSchedule.Plan(seed, 3, TenMinutes, Settle).Select(f => $"{f.Kind} {string.Join(",", f.Targets)} {f.Hold.TotalMilliseconds}"));
        Assert.NotEqual(Text(1), Text(2));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void A_long_schedule_has_every_kind_of_fault_within_its_bounds(int nodes)
    {
        var plan = FaultSchedule.Plan(7, nodes, TimeSpan.FromHours(1), Settle);
        Assert.Equal(Enum.GetValues<FaultKind>().ToHashSet(), plan.Select(f => f.Kind).ToHashSet());
        Assert.All(plan, f =>
        {
            Assert.Equal(f.Targets.Count, f.Targets.Distinct().Count());
            Assert.All(f.Targets, t => Assert.InRange(t, 0, nodes - 1));
            switch (f.Kind)
            {
                case FaultKind.Freeze:
                    Assert.InRange(f.Hold, FaultSchedule.MinFreeze, FaultSchedule.MaxFreeze);
                    break;
                case FaultKind.Partition or FaultKind.OneWayDrop:
                    Assert.InRange(f.Targets.Count, 1, (nodes - 1) / 2);
                    Assert.Null(f.NoMajorityCause(nodes));
                    break;
                case FaultKind.RollingRestart:
                    Assert.Equal(nodes, f.Targets.Count);
                    Assert.Null(f.NoMajorityCause(nodes));
                    break;
            }
        });
        // Most kills and freezes take a minority (counted); some take a majority, listed with their cause.
        var stops = plan.Where(f => f.Kind is FaultKind.Kill9 or FaultKind.Freeze).ToList();
        Assert.Contains(stops, f => f.NoMajorityCause(nodes) is null);
        Assert.Contains(stops, f => f.NoMajorityCause(nodes) is not null);
    }

    [Fact]
    public void Planned_times_follow_each_faults_hold_and_the_settle_and_stay_within_the_duration()
    {
        var duration = TimeSpan.FromMinutes(2);
        var plan = FaultSchedule.Plan(3, 3, duration, Settle);
        Assert.Equal(TimeSpan.Zero, plan[0].PlannedAt);
        for (var i = 1; i < plan.Count; i++)
            Assert.Equal(plan[i - 1].PlannedAt + FaultSchedule.Length(plan[i - 1], Settle), plan[i].PlannedAt);
        Assert.All(plan, f => Assert.True(f.PlannedAt < duration));
        Assert.Equal(Enumerable.Range(0, plan.Count), plan.Select(f => f.Index));
    }

    [Theory]
    [InlineData(FaultKind.Kill9, 3, new[] { 0 }, null)]
    [InlineData(FaultKind.Kill9, 3, new[] { 0, 2 }, "2 of 3 voters killed: 1 connected, a majority needs 2")]
    [InlineData(FaultKind.Freeze, 5, new[] { 1, 3 }, null)]
    [InlineData(FaultKind.Freeze, 5, new[] { 0, 1, 4 }, "3 of 5 voters frozen: 2 connected, a majority needs 3")]
    [InlineData(FaultKind.Partition, 5, new[] { 0, 1 }, null)]
    [InlineData(FaultKind.OneWayDrop, 3, new[] { 1 }, null)]
    [InlineData(FaultKind.RollingRestart, 3, new[] { 2, 0, 1 }, null)]
    public void A_fault_counts_toward_the_promise_only_if_a_majority_stays_connected(FaultKind kind, int nodes, int[] targets, string? cause) =>
        Assert.Equal(cause, new PlannedFault(0, TimeSpan.Zero, kind, targets, TimeSpan.FromSeconds(1)).NoMajorityCause(nodes));

    [Fact]
    public void Fewer_than_three_nodes_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FaultSchedule.Plan(1, 2, TenMinutes, Settle));
}
