using System.Diagnostics;
using System.Text;
using ActorVip.Node.Drivers;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.LoadBalancing;

/// <summary>
/// A health check that runs an executable with arguments (issue 14 §1): exit 0 passes. No shell: the arguments are
/// passed as they are. The caller's cancellation (the check timeout) kills the process and every process it started,
/// and fails the check: its process tree, and what left the tree (a child whose parent exited is re-parented) but still
/// carries the run's own <see cref="RunVariable"/> in its environment, as every process it starts inherits it. Its output
/// (the last lines of stdout and stderr) goes to <paramref name="log"/> when the check fails, so an operator sees why; the
/// verdict never waits for the output past the command's exit (a pass) or the timeout (a failure), since a process the
/// command left running may hold it open. The backend is ignored: the command checks what it checks.
/// </summary>
public sealed class ExecProbe(string command, IReadOnlyList<string> args, Action<string> log) : IHealthProbe
{
    /// <summary>At most this much output of one run is logged.</summary>
    public const int MaxLoggedChars = 512;

    /// <summary>
    /// The environment variable each run gets, with a value of its own: how the processes it started are found once they
    /// left its tree. Not ACTORVIP_*, which names settings (a check that runs `actorvip status` would warn about it).
    /// </summary>
    public const string RunVariable = "_ACTORVIP_CHECK_RUN";

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
        var run = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        start.Environment[RunVariable] = run;
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
            var left = KillCarrying(run);
            log($"health check {command}: killed at the timeout" + (left == 0 ? "" : $", and {left} process(es) it had started that had left its tree"));
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

    /// <summary>
    /// Kills (SIGKILL) every process whose environment carries <see cref="RunVariable"/>=<paramref name="run"/>, until none is
    /// left (one that forked meanwhile is found by the next pass); returns how many. /proc/PID/environ is the environment
    /// the process was started with, readable for this node's own user's processes.
    /// </summary>
    private static int KillCarrying(string run)
    {
        var entry = Encoding.UTF8.GetBytes($"{RunVariable}={run}\0");
        var killed = new HashSet<int>();
        for (var pass = 0; pass < 5; pass++)
        {
            var found = false;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
                try
                {
                    if (File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(entry) < 0) continue;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // exited meanwhile, or not ours to read
                }
                // One still dying from the last pass may be read again: it counts once.
                if (kill(pid, SIGKILL) == 0 && killed.Add(pid)) found = true;
            }
            if (!found) break;
        }
        return killed.Count;
    }
}
