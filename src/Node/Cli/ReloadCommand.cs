using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using ActorVip.Node.Configuration;
using ActorVip.Node.Observability;
using ActorVip.Ownership;

namespace ActorVip.Node.Cli;

/// <summary>
/// `actorvip reload --pid PID`: the unit's ExecReload, which makes `systemctl reload actorvip` synchronous and able to fail. It reads and
/// validates the configuration as the node's SIGHUP will (<see cref="ReloadCheck.Read"/>, the same code): an invalid one is refused
/// here, exit 2, and the node is not signalled. Otherwise it sends the node SIGHUP and returns once the node reports that this reload
/// finished: exit 0 with the node's line when it applied it (also when the line names settings that need a restart: the VIP part is
/// applied), 2 when the node refused the file, 1 when there is no such node or it did not report in time.
/// <para>
/// How it knows the reload finished: the node answers GET /reload on its metrics-address with its process id and the last reload it
/// finished, stamped with CLOCK_MONOTONIC from before it read the file (<see cref="ReloadReport"/>), and this command waits for one
/// stamped at or after the time it signalled: one that read the file after the signal. Not sd_notify: RELOADING=1 and READY=1 go to
/// systemd alone, and systemd 252 ends a reload when ExecReload exits, not at READY=1. Not a file: it would need a directory both may
/// write, which the unit's sandbox lacks (DynamicUser leaves a read-only file system but a private /tmp), and a node run outside
/// systemd would leave it behind. The endpoint is open in every node, reachable inside the sandbox (AF_INET, the same user), and
/// says which process answers, so a PID that is not the node's is never signalled.
/// </para>
/// </summary>
public static class ReloadCommand
{
    /// <summary>How long it waits for the node's report: longer than the node agent's own bound for confirming a reload (5 s).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private const int Sighup = 1;

    public static Command Create() => Create(new RunningNode(), Console.Out, Console.Error, Wait);

    /// <param name="node">The node's process and endpoint as this command reaches them (a recorder in the tests).</param>
    internal static Command Create(IRunningNode node, TextWriter output, TextWriter errors, TimeSpan wait)
    {
        var options = new NodeOptions();
        var pid = new Option<string>("--pid")
        {
            Required = true,
            Description = "Process id of the running node (actorvip run) to reload; $MAINPID in the unit's ExecReload"
        };
        var command = new Command("reload", "Check the configuration, then make the running node apply it (SIGHUP) and wait until it did: " +
            "systemctl reload actorvip. Use the configuration options the node runs with");
        command.Options.Add(pid);
        options.AddTo(command);
        command.SetAction(result =>
        {
            var text = result.GetValue(pid)!;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var process) || process == 0)
            {
                errors.WriteLine($"actorvip: --pid: '{Program.OneLine(text)}' is not a process id (expected the PID of actorvip run, e.g. " +
                    "--pid $MAINPID in the unit)");
                return ExitCodes.BadInput;
            }
            // SIGHUP's own check, before anything is signalled: a file the node would refuse is refused here, and the node is left alone.
            var (refusal, read) = ReloadCheck.Read(() => options.Load(result));
            if (read is not { } next)
            {
                errors.WriteLine(refusal);
                return ExitCodes.BadInput;
            }
            return Reload(node, process, MetricsAddress.ToAsk(next.Settings.MetricsAddress), output, errors, wait);
        });
        return command;
    }

    private static int Reload(IRunningNode node, int pid, string target, TextWriter output, TextWriter errors, TimeSpan wait)
    {
        if (node.Signal(pid, 0) is { } missing)
        {
            errors.WriteLine($"actorvip: --pid {pid}: {missing} (is actorvip run running? systemctl show -p MainPID actorvip names it)");
            return ExitCodes.Failure;
        }
        // The node on the configured endpoint must be this process: SIGHUP to anything else (a shell, another daemon) may stop or reload it.
        ReloadReport before;
        try
        {
            before = node.Ask(target);
        }
        catch (Exception e) when (Unanswered(e))
        {
            errors.WriteLine($"actorvip: reload: no node answers on {target} ({Reason(e)}), so process {pid} was not signalled (target is this " +
                "configuration's metrics-address; give the one the node runs with as --metrics-address, a change of it needs a restart)");
            return ExitCodes.Failure;
        }
        if (before.Pid != pid)
        {
            errors.WriteLine($"actorvip: --pid {pid}: the node on {target} is process {before.Pid}, so process {pid} was not signalled (expected " +
                "the PID of that actorvip run)");
            return ExitCodes.Failure;
        }
        var signalled = node.Now();
        if (node.Signal(pid, Sighup) is { } failed)
        {
            errors.WriteLine($"actorvip: --pid {pid}: SIGHUP not sent: {failed}");
            return ExitCodes.Failure;
        }
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            ReloadReport? report = null;
            try
            {
                report = node.Ask(target);
            }
            catch (Exception e) when (Unanswered(e))
            {
                // Asked again until the deadline: one slow answer is no verdict.
            }
            if (report is { Last: { } last } && report.Pid == pid && last.StartedUsec >= signalled)
            {
                var (writer, code) = last.Outcome switch
                {
                    ReloadOutcome.Applied => (output, ExitCodes.Ok),
                    ReloadOutcome.Refused => (errors, ExitCodes.BadInput),
                    _ => (errors, ExitCodes.Failure),
                };
                writer.WriteLine(last.Line);
                return code;
            }
            if (DateTime.UtcNow >= deadline)
            {
                errors.WriteLine($"actorvip: reload: process {pid} was sent SIGHUP but did not report the reload on {target} within " +
                    $"{wait.TotalSeconds:0.#} s (its log says what it did: journalctl -u actorvip)");
                return ExitCodes.Failure;
            }
            Thread.Sleep(Poll);
        }
    }

    private static bool Unanswered(Exception e) =>
        e is HttpRequestException or TaskCanceledException or SocketException or InvalidDataException or JsonException;

    private static string Reason(Exception e) => Program.OneLine((e is InvalidDataException ? "it " : "") + ConfigSources.FirstLine(e.Message));
}

/// <summary>The running node as `actorvip reload` reaches it. An interface so that the tests see what is signalled, and when.</summary>
public interface IRunningNode
{
    /// <summary>CLOCK_MONOTONIC in microseconds: the clock the node stamps each reload's start with.</summary>
    long Now();

    /// <summary>kill(2): signal 0 only checks. Null when done; otherwise why not, in a few words.</summary>
    string? Signal(int pid, int signal);

    /// <summary>
    /// GET /reload of the node on <paramref name="target"/> (HOST:PORT). Throws HttpRequestException, TaskCanceledException or
    /// SocketException when nothing answers, InvalidDataException or JsonException when what answers is not a node.
    /// </summary>
    ReloadReport Ask(string target);
}

/// <summary>The real one: kill(2), the host's CLOCK_MONOTONIC and the node's endpoint.</summary>
internal sealed class RunningNode : IRunningNode
{
    public long Now() => LinuxClocks.MonotonicMicroseconds();

    public string? Signal(int pid, int signal)
    {
        if (Tmds.Linux.LibC.kill(pid, signal) == 0) return null;
        var errno = Tmds.Linux.LibC.errno;
        return errno == Tmds.Linux.LibC.ESRCH ? "no such process"
            : errno == Tmds.Linux.LibC.EPERM ? "not permitted to signal it (it runs as another user)"
            : $"kill failed with errno {errno}";
    }

    public ReloadReport Ask(string target) => ReloadReport.FromJson(StatusCommand.Fetch(target, "/reload"));
}
