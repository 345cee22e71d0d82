namespace ActorVip.Lab.Demo;

/// <summary>The faults done to the VIP's owner.</summary>
public enum FailoverScenario
{
    /// <summary>SIGKILL of the owner's process and its cable cut.</summary>
    Crash,
    /// <summary>SIGTERM: the owner releases and hands over.</summary>
    Graceful,
    /// <summary>The switch drops frames between the owner and the other nodes; the client still reaches everyone.</summary>
    Partition,
    /// <summary>SIGKILL of the process alone: its kernel still holds the address for a while.</summary>
    Kill9,
    /// <summary>SIGSTOP for 5 s, then SIGCONT.</summary>
    Freeze,
}

public static class FailoverScenarios
{
    public static readonly IReadOnlyList<FailoverScenario> All = Enum.GetValues<FailoverScenario>();

    public static string Name(this FailoverScenario s) => s.ToString().ToLowerInvariant();

    /// <summary>Parses "crash", "graceful", ..., "all"; null when unknown.</summary>
    public static IReadOnlyList<FailoverScenario>? Parse(string text) =>
        text.Equals("all", StringComparison.OrdinalIgnoreCase) ? All
        : text.Length > 0 && char.IsLetter(text[0]) && Enum.TryParse<FailoverScenario>(text, ignoreCase: true, out var s) ? [s] : null;
}
