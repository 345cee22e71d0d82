using System.CommandLine;
using System.Diagnostics;
using ActorVip.Node;
using ActorVip.Node.Cli;
using ActorVip.Node.Observability;

namespace ActorVip.Tests.Deploy;

/// <summary>
/// `actorvip reload --pid PID` (the unit's ExecReload) against a recording stand-in for the node: its arguments, a configuration it
/// refuses (exit 2, and nothing signalled, not even the check of the PID), a PID that is missing or not the node's (exit 1, no SIGHUP),
/// and the wait for the node's report of a reload that started after the signal (an earlier one does not count).
/// </summary>
public sealed class ReloadCommandTests : IDisposable
{
    private const int Pid = 4242;
    private const int Sighup = 1;
    private readonly string _file = Path.GetTempFileName();
    private readonly StringWriter _out = new(), _err = new();
    private readonly RecordingNode _node = new(Pid);

    public ReloadCommandTests() => File.WriteAllText(_file, Config("192.0.2.100"));

    private static string Config(string vips) => $$"""
        actorvip {
          interface = "eth0"
          addresses = [{{vips}}]
          metrics-address = "127.0.0.1:2119"
        }
        """;

    private int Reload(params string[] args) => Program.Invoke(new RootCommand { ReloadCommand.Create(_node, _out, _err, TimeSpan.FromMilliseconds(500)) },
        ["reload", .. args], _err);

    private string[] Errors => _err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("12 ")]
    public void A_pid_that_is_no_process_id_is_refused_with_exit_2_and_nothing_is_signalled(string pid)
    {
        Assert.Equal(ExitCodes.BadInput, Reload("--pid", pid, "--config", _file));
        Assert.Equal([$"actorvip: --pid: '{pid}' is not a process id (expected the PID of actorvip run, e.g. --pid $MAINPID in the unit)"], Errors);
        Assert.Empty(_node.Signals);
    }

    [Fact]
    public void Without_pid_it_is_a_usage_error_exit_2()
    {
        Assert.Equal(ExitCodes.BadInput, Reload("--config", _file));
        var line = Assert.Single(Errors);
        Assert.Contains("--pid", line);
        Assert.EndsWith("(see actorvip --help)", line);
        Assert.Empty(_node.Signals);
    }

    [Fact]
    public void An_invalid_configuration_is_one_line_exit_2_and_the_node_is_not_signalled()
    {
        File.WriteAllText(_file, Config("\"192.0.2.300\""));
        Assert.Equal(ExitCodes.BadInput, Reload("--pid", Pid.ToString(), "--config", _file));
        var line = Assert.Single(Errors);
        Assert.StartsWith("actorvip: reload: the configuration is not valid, the running one stays in force: ", line);
        Assert.Contains("192.0.2.300", line);
        Assert.Empty(_node.Signals);
        Assert.Equal(0, _node.Asked);
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public void An_invalid_flag_value_is_refused_the_same_way()
    {
        Assert.Equal(ExitCodes.BadInput, Reload("--pid", Pid.ToString(), "--config", _file, "--nodes", "zero"));
        Assert.StartsWith("actorvip: reload: the configuration is not valid, the running one stays in force: nodes", Assert.Single(Errors));
        Assert.Empty(_node.Signals);
    }

    [Fact]
    public void A_missing_configuration_file_is_exit_2_and_nothing_is_signalled()
    {
        Assert.Equal(ExitCodes.BadInput, Reload("--pid", Pid.ToString(), "--config", _file + ".missing"));
        Assert.Contains("cannot read config file", Assert.Single(Errors));
        Assert.Empty(_node.Signals);
    }

    [Fact]
    public void A_pid_with_no_process_is_exit_1_without_sighup()
    {
        Assert.Equal(ExitCodes.Failure, Reload("--pid", "4343", "--config", _file));
        Assert.Equal(["actorvip: --pid 4343: no such process (is actorvip run running? systemctl show -p MainPID actorvip names it)"], Errors);
        Assert.DoesNotContain(_node.Signals, s => s.Signal == Sighup);
    }

    [Fact]
    public void A_pid_that_is_not_the_node_answering_on_its_metrics_address_is_exit_1_without_sighup()
    {
        _node.Pid = 5151; // the process exists (the stand-in lets 4242 be signalled), but the node is another one
        _node.SignalPid = Pid;
        Assert.Equal(ExitCodes.Failure, Reload("--pid", Pid.ToString(), "--config", _file));
        Assert.Equal([$"actorvip: --pid {Pid}: the node on 127.0.0.1:2119 is process 5151, so process {Pid} was not signalled (expected the PID of " +
            "that actorvip run)"], Errors);
        Assert.DoesNotContain(_node.Signals, s => s.Signal == Sighup);
    }

    [Fact]
    public void No_node_answering_is_exit_1_without_sighup()
    {
        _node.Answering = false;
        Assert.Equal(ExitCodes.Failure, Reload("--pid", Pid.ToString(), "--config", _file));
        Assert.StartsWith("actorvip: reload: no node answers on 127.0.0.1:2119 (connection refused), so process 4242 was not signalled", Assert.Single(Errors));
        Assert.DoesNotContain(_node.Signals, s => s.Signal == Sighup);
    }

    [Fact]
    public void It_signals_once_and_returns_the_line_of_the_reload_that_started_after_the_signal_not_an_earlier_one()
    {
        _node.Last = new ReloadDone(900, 950, ReloadOutcome.Applied, "actorvip: reload: the configuration is unchanged");
        _node.AfterSighup = ("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed", ReloadOutcome.Applied, 3);
        Assert.Equal(ExitCodes.Ok, Reload("--pid", Pid.ToString(), "--config", _file));
        Assert.Equal([(Pid, 0), (Pid, Sighup)], _node.Signals);
        Assert.Equal("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed\n", _out.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("", _err.ToString());
        // Asked before the signal (whose node it is), then until the new report: three asks found only the earlier reload.
        Assert.Equal(5, _node.Asked);
    }

    /// <summary>
    /// The node's own outcome decides: settings that need a restart are printed with exit 0 (the VIPs were applied); a file it refused after
    /// all (changed since this command's check, say) is exit 2; an agent that did not confirm is exit 1. Only an exit 0 is on stdout.
    /// </summary>
    [Theory]
    [InlineData("actorvip: reload: applied: nothing; needs a restart, not applied: lease.lease-time (systemctl restart actorvip, one master at a time)",
        ReloadOutcome.Applied, ExitCodes.Ok)]
    [InlineData("actorvip: reload: the configuration is not valid, the running one stays in force: nodes: 'x' is not a number", ReloadOutcome.Refused,
        ExitCodes.BadInput)]
    [InlineData("actorvip: reload: applied: 1 VIP added, 0 removed, 0 changed; the node agent did not confirm it within 5 s", ReloadOutcome.Unconfirmed,
        ExitCodes.Failure)]
    public void The_nodes_outcome_is_its_line_and_the_exit_code(string line, ReloadOutcome outcome, int exit)
    {
        _node.AfterSighup = (line, outcome, 0);
        Assert.Equal(exit, Reload("--pid", Pid.ToString(), "--config", _file));
        Assert.Equal(line + "\n", (exit == ExitCodes.Ok ? _out : _err).ToString().ReplaceLineEndings("\n"));
        Assert.Equal("", (exit == ExitCodes.Ok ? _err : _out).ToString());
    }

    [Fact]
    public void A_node_that_never_reports_the_reload_is_exit_1_after_the_bound()
    {
        var watch = Stopwatch.StartNew();
        Assert.Equal(ExitCodes.Failure, Reload("--pid", Pid.ToString(), "--config", _file));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        Assert.Equal([$"actorvip: reload: process {Pid} was sent SIGHUP but did not report the reload on 127.0.0.1:2119 within 0.5 s (its log says what it " +
            "did: journalctl -u actorvip)"], Errors);
        Assert.Contains((Pid, Sighup), _node.Signals);
    }

    [Fact]
    public void The_real_signal_sender_finds_a_process_that_is_gone()
    {
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        Assert.Equal("no such process", new RunningNode().Signal(gone.Id, 0));
        Assert.Null(new RunningNode().Signal(Environment.ProcessId, 0));
    }

    public void Dispose() => File.Delete(_file);

    /// <summary>
    /// The node as the command reaches it: <see cref="SignalPid"/> exists; its endpoint answers as process <see cref="Pid"/> with
    /// <see cref="Last"/>, and once SIGHUP came, after <see cref="AfterSighup"/>'s number of asks, with a reload stamped after it.
    /// </summary>
    private sealed class RecordingNode(int pid) : IRunningNode
    {
        private long _clock = 1_000;
        private long _signalledAt = -1;
        private int _asksSinceSignal;

        public int Pid { get; set; } = pid;
        public int SignalPid { get; set; } = pid;
        public bool Answering { get; set; } = true;
        public ReloadDone? Last { get; set; }
        public (string Line, ReloadOutcome Outcome, int Delay)? AfterSighup { get; set; }
        public List<(int Pid, int Signal)> Signals { get; } = [];
        public int Asked { get; private set; }

        public long Now() => _clock += 10;

        public string? Signal(int target, int signal)
        {
            Signals.Add((target, signal));
            if (target != SignalPid) return "no such process";
            if (signal == Sighup) _signalledAt = _clock;
            return null;
        }

        public ReloadReport Ask(string target)
        {
            Asked++;
            Assert.Equal("127.0.0.1:2119", target);
            if (!Answering) throw new HttpRequestException("connection refused");
            if (_signalledAt >= 0 && AfterSighup is { } after && _asksSinceSignal++ >= after.Delay)
                Last = new ReloadDone(_signalledAt + 1, _signalledAt + 2, after.Outcome, after.Line);
            return new ReloadReport(Pid, Last is null ? 0 : 1, Last);
        }
    }
}
