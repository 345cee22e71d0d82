namespace ActorVip.Kernel.Tests.Lab;

/// <summary>Runs host tools (ip, tcpdump, arping, nft) for test set-up and inspection, through the lab's <see cref="HostCommand"/>.</summary>
public static class Shell
{
    public static HostCommand.Result Run(string file, params string[] args) => HostCommand.Run(file, args);

    public static HostCommand.Result Run(string file, IReadOnlyList<string> args, TimeSpan timeout) => HostCommand.Run(file, args, timeout);

    /// <summary>Runs "sh -c SCRIPT" and fails the test on a non-zero exit.</summary>
    public static string Sh(string script) => Run("sh", "-c", script).ThrowIfFailed(script).Stdout;

    public static bool IsRoot => HostCommand.IsRoot;
}
