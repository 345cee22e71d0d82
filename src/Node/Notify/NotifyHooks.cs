using System.Diagnostics;
using System.Text;
using Akka.Actor;

namespace ActorVip.Node.Notify;

/// <summary>actorvip.notify: the executable run on every acquired, released and fault event (empty: none), and how long it may take.</summary>
public sealed record NotifySettings(string Command, TimeSpan Timeout)
{
    public static readonly NotifySettings None = new("", TimeSpan.FromSeconds(10));

    public bool Enabled => Command.Length > 0;
}

/// <summary>One run of the notify hook: what happened to which VIP, given to the hook in ACTORVIP_* environment variables.</summary>
public sealed record HookRun(string Event, string Vip, long Epoch, string Node, string Interface, string Reason)
{
    public const string Acquired = "acquired";
    public const string Released = "released";
    public const string Fault = "fault";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["ACTORVIP_EVENT"] = Event,
        ["ACTORVIP_VIP"] = Vip,
        ["ACTORVIP_EPOCH"] = Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ACTORVIP_NODE"] = Node,
        ["ACTORVIP_INTERFACE"] = Interface,
        ["ACTORVIP_REASON"] = Reason,
    };
}

/// <summary>How a hook run ended: Ok (exit 0 within the timeout) and a line for the log (exit code or timeout, and its output).</summary>
public sealed record HookResult(bool Ok, string Detail);

/// <summary>Runs a hook; the NotifyActor's only contact with processes (a fake in unit tests).</summary>
public interface IHookRunner
{
    Task<HookResult> RunAsync(string command, HookRun run, TimeSpan timeout);
}

/// <summary>
/// Runs the hook as a child process: no shell (the command is the executable, started directly), the ACTORVIP_* variables
/// added to the node's environment, stdin closed, stdout and stderr captured for the log (the first 4 KiB), and on timeout
/// the whole process tree killed.
/// </summary>
public sealed class ProcessHookRunner : IHookRunner
{
    private const int MaxOutput = 4096;

    public async Task<HookResult> RunAsync(string command, HookRun run, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Exactly the six ACTORVIP_* of this run: none the node itself was started with (its own settings, say) leaks
        // into the hook, where it would read as part of the event.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ACTORVIP_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in run.Environment) start.Environment[key] = value;
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output)
            {
                if (output.Length < MaxOutput) output.Append(e.Data).Append(' ');
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new HookResult(false, $"could not start {command}: {e.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new HookResult(false, $"timed out after {timeout.TotalMilliseconds} ms and was killed; output: {Output(output)}");
        }
        return new HookResult(process.ExitCode == 0, $"exit {process.ExitCode}; output: {Output(output)}");
    }

    private static string Output(StringBuilder output)
    {
        lock (output) return output.Length == 0 ? "none" : output.ToString().TrimEnd();
    }
}

/// <summary>A hook run failed (non-zero exit, timeout, or it could not start): counted in actorvip_hook_failures_total{vip,event}.</summary>
public sealed record HookFailed(string Vip, string Event);

/// <summary>Asks the NotifyActor to run the fault hook for a VIP this node holds (health tracking, link loss).</summary>
public sealed record HookFault(string Vip, string Reason);

/// <summary>The entry for other parts of the node (health tracking): run the fault hook of a VIP, without waiting.</summary>
public static class NotifyHooks
{
    public static void Fault(ActorSystem system, string vip, string reason) => system.EventStream.Publish(new HookFault(vip, reason));
}
