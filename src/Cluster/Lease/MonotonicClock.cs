using System.Diagnostics;

namespace ActorVip.Ownership;

/// <summary>A clock that never jumps with wall-clock changes; every lease decision is made on it.</summary>
public interface IMonotonicClock
{
    TimeSpan Now { get; }
}

public sealed class MonotonicClock : IMonotonicClock
{
    public static readonly MonotonicClock Instance = new();

    public TimeSpan Now => Stopwatch.GetElapsedTime(0);
}
