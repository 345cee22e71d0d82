using System.Diagnostics;
using ActorVip.Node.Drivers;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// A health check that runs an executable with arguments (issue 14 §1): exit 0 passes. No shell: the arguments are
/// passed as they are. The caller's cancellation (the check timeout) kills the process and every process it started,
/// and fails the check. Its output (the last lines of stdout and stderr) goes to <paramref name="log"/> when the check
/// fails, so an operator sees why; the verdict never waits for the output past the command's exit (a pass) or the timeout (a
/// failure), since a process the command left running may hold it open. The backend is ignored: the command checks what it checks.
/// </summary>
public sealed class ExecProbe(string command, IReadOnlyList<string> args, Action<string> log) : IHealthProbe
{
    /// <summary>At most this much output of one run is logged.</summary>
    public const int MaxLoggedChars = 512;

    public async Task<bool> CheckAsync(Backend backend, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            log($"health check {command}: cannot start: {e.Message}");
            return false;
        }
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }
            log($"health check {command}: killed at the timeout");
            return false;
        }
        // The exit status is the verdict. The output is only for the log of a failure, and a process the command left running
        // (a child that inherited stdout) keeps it open for as long as it lives: so it is not waited for on a pass, and on a
        // failure only until the timeout. Awaited unbounded, it held the check in flight, its verdict frozen, for the child's life.
        if (process.ExitCode == 0) return true;
        string output;
        try
        {
            output = (await stdout.WaitAsync(cancel) + await stderr.WaitAsync(cancel)).Trim();
        }
        catch (OperationCanceledException)
        {
            output = "(its output was still open at the timeout: a process it started holds it)";
        }
        log($"health check {command}: exit {process.ExitCode}" +
            (output.Length == 0 ? "" : $": {(output.Length > MaxLoggedChars ? output[^MaxLoggedChars..] : output)}"));
        return false;
    }
}
