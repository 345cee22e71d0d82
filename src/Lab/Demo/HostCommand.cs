using System.Diagnostics;

namespace ActorVip.Lab.Demo;

/// <summary>Runs a host tool (ip, nft, keepalived) to completion and captures what it printed.</summary>
public static class HostCommand
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
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {file}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run '{file}' ({e.Message}); install it (iproute2 provides ip).", e);
        }
        using (p)
        {
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
    }

    public static bool IsRoot => Tmds.Linux.LibC.geteuid() == 0;
}
