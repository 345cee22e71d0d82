using System.Diagnostics;
using System.Net;
using ActorVip.Node.LoadBalancing;

namespace ActorVip.Tests.LoadBalancing;

/// <summary>The exec health check (issue 14 §1): exit 0 passes, no shell, killed with its children at the timeout, output logged on failure.</summary>
public class ExecProbeTests
{
    private static readonly Backend Any = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Exit_zero_passes_and_another_exit_fails_with_its_output_logged()
    {
        var logged = new List<string>();
        Assert.True(await new ExecProbe("/bin/true", [], logged.Add).CheckAsync(Any, CancellationToken.None));
        Assert.False(await new ExecProbe("/bin/sh", ["-c", "echo not ready; exit 3"], logged.Add).CheckAsync(Any, CancellationToken.None));
        Assert.Contains(logged, l => l.Contains("exit 3") && l.Contains("not ready"));
    }

    [Fact]
    public async Task Arguments_are_passed_as_they_are_without_a_shell()
    {
        // Through a shell, "; exit 0" would run; as one argument to test it is just a string that is not empty.
        Assert.False(await new ExecProbe("/usr/bin/test", ["-z", "x; exit 0"], _ => { }).CheckAsync(Any, CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_executable_fails_the_check()
    {
        var logged = new List<string>();
        Assert.False(await new ExecProbe("/nonexistent/check", [], logged.Add).CheckAsync(Any, CancellationToken.None));
        Assert.Contains(logged, l => l.Contains("cannot start"));
    }

    [Fact]
    public async Task At_the_timeout_the_check_fails_and_the_process_and_its_children_are_killed()
    {
        var marker = $"actorvip-exec-probe-{Guid.NewGuid():N}";
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        // The shell starts a child shell that sleeps; both carry the marker in their command line, and both must be gone.
        Assert.False(await new ExecProbe("/bin/sh", ["-c", $"/bin/sh -c 'sleep 30; : {marker}' & wait"], _ => { }).CheckAsync(Any, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        Assert.DoesNotContain(Directory.GetDirectories("/proc"), d => CommandLine(d).Contains(marker));
    }

    [Fact]
    public async Task At_the_timeout_a_process_it_started_that_left_its_tree_is_killed_too()
    {
        // The subshell starts the marked sleep and exits: the sleep is re-parented (to init or a subreaper), out of the check's
        // process tree, while the check itself hangs. Both are the check's, and both must be gone after the timeout.
        var marker = $"actorvip-exec-probe-{Guid.NewGuid():N}";
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            Assert.False(await new ExecProbe("/bin/sh", ["-c", $"(/bin/sh -c 'sleep 30; : {marker}' &); sleep 30"], _ => { }).CheckAsync(Any, cancel.Token));
            await Task.Delay(200);
            Assert.DoesNotContain(Directory.GetDirectories("/proc"), d => CommandLine(d).Contains(marker));
        }
        finally
        {
            KillMarked(marker);
        }
    }

    [Fact]
    public async Task A_process_it_left_running_with_its_output_open_does_not_hold_the_verdict_past_the_timeout()
    {
        // The check exits at once but leaves a child that inherited its stdout. The exit status is the verdict: the output
        // (only logged on a failure) is not waited for beyond the timeout. Before, the check took as long as the child lived.
        var marker = $"actorvip-exec-probe-{Guid.NewGuid():N}";
        var left = $"/bin/sh -c 'sleep 20; : {marker}' &";
        try
        {
            var logged = new List<string>();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var watch = Stopwatch.StartNew();
            Assert.True(await new ExecProbe("/bin/sh", ["-c", $"{left} exit 0"], logged.Add).CheckAsync(Any, cancel.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a passing check took {watch.Elapsed.TotalMilliseconds:0} ms");

            using var cancelFailing = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            watch.Restart();
            Assert.False(await new ExecProbe("/bin/sh", ["-c", $"echo not ready; {left} exit 3"], logged.Add).CheckAsync(Any, cancelFailing.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a failing check took {watch.Elapsed.TotalMilliseconds:0} ms");
            Assert.Contains(logged, l => l.Contains("exit 3"));
        }
        finally
        {
            KillMarked(marker);
        }
    }

    /// <summary>Kills what a test left running: the processes with <paramref name="marker"/> in their command line.</summary>
    private static void KillMarked(string marker)
    {
        foreach (var proc in Directory.GetDirectories("/proc").Where(d => CommandLine(d).Contains(marker)))
        {
            if (int.TryParse(Path.GetFileName(proc), out var pid)) KillQuietly(pid);
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone meanwhile.
        }
    }

    private static string CommandLine(string proc)
    {
        try
        {
            return File.ReadAllText(Path.Combine(proc, "cmdline"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
