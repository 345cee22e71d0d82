using System.Diagnostics;

namespace ActorVip.Kernel.Tests.Lab;

/// <summary>Runs host tools (ip, tcpdump, arping, nft) for test set-up and inspection.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public Result ThrowIfFailed(string what)
        {
            if (ExitCode != 0) throw new InvalidOperationException($"{what} failed with exit {ExitCode}: {Stderr.Trim()} {Stdout.Trim()}");
            return this;
        }
    }

    public static Result Run(string file, params string[] args) => Run(file, args, TimeSpan.FromSeconds(60));

    public static Result Run(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}.");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs "sh -c SCRIPT" and fails the test on a non-zero exit.</summary>
    public static string Sh(string script) => Run("sh", "-c", script).ThrowIfFailed(script).Stdout;

    public static bool IsRoot => Environment.UserName == "root" || Tmds.Linux.LibC.geteuid() == 0;
}
