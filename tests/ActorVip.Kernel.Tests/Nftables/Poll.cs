using System.Diagnostics;

namespace ActorVip.Kernel.Tests.Nftables;

/// <summary>Waits for a condition with a generous bound; tests assert the outcome, never the time it took.</summary>
internal static class Poll
{
    public static bool Until(Func<bool> condition, TimeSpan bound, int intervalMs = 50)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < bound)
        {
            if (condition()) return true;
            Thread.Sleep(intervalMs);
        }
        return condition();
    }
}
