namespace ActorVip.Node.LoadBalancing;

/// <summary>A backend's health as the checks see it: its verdict and how many results in a row contradict it.</summary>
public readonly record struct HealthState(bool Healthy, int Streak)
{
    /// <summary>A backend starts healthy, so that traffic flows from the first moment (keepalived's default too).</summary>
    public static HealthState Initial => new(true, 0);
}

/// <summary>The rise/fall rule: `fall` failures in a row take a healthy backend out, `rise` successes in a row bring it back.</summary>
public static class RiseFall
{
    public static HealthState Next(HealthState state, bool passed, int rise, int fall)
    {
        if (passed == state.Healthy) return state with { Streak = 0 };
        var streak = state.Streak + 1;
        var threshold = state.Healthy ? fall : rise;
        return streak >= threshold ? new HealthState(!state.Healthy, 0) : state with { Streak = streak };
    }
}
