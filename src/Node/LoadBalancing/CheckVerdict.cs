using ActorVip.Messages.Ownership;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// A VIP health check's verdict (issue 14 §1): unknown until it passed <c>rise</c> times or failed <c>fall</c> times in a
/// row, then the <see cref="RiseFall"/> rule. Unlike a backend (which starts healthy so that traffic flows at once), a
/// node is not a placement target for a health-tracked VIP before its checks have said so.
/// </summary>
public readonly record struct CheckVerdict(bool? Healthy, int Streak, bool LastPassed)
{
    public static CheckVerdict Unknown => default;

    public CheckVerdict Next(bool passed, int rise, int fall)
    {
        if (Healthy is { } healthy)
        {
            var next = RiseFall.Next(new HealthState(healthy, Streak), passed, rise, fall);
            return new CheckVerdict(next.Healthy, next.Streak, passed);
        }
        var streak = Streak > 0 && LastPassed == passed ? Streak + 1 : 1;
        return streak >= (passed ? rise : fall) ? new CheckVerdict(passed, 0, passed) : new CheckVerdict(null, streak, passed);
    }

    /// <summary>A VIP's health from its checks: failing when one fails, healthy when all pass, else unknown.</summary>
    public static VipHealth Of(IEnumerable<CheckVerdict> checks)
    {
        var list = checks.ToList();
        if (list.Any(c => c.Healthy == false)) return VipHealth.Failing;
        return list.Count > 0 && list.All(c => c.Healthy == true) ? VipHealth.Healthy : VipHealth.Unknown;
    }
}
