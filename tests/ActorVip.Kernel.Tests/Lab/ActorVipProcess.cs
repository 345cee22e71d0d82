using System.Diagnostics;
using System.Text;

namespace ActorVip.Kernel.Tests.Lab;

/// <summary>A real `actorvip` process inside a namespace, with its output captured for assertions and failure reports.</summary>
public sealed class ActorVipProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ActorVipProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The actorvip binary built next to the tests (the test project references the node project).</summary>
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "actorvip");

    public static ActorVipProcess Start(string ns, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns, Binary }.Concat(args)) psi.ArgumentList.Add(a);
        return new ActorVipProcess(Process.Start(psi) ?? throw new InvalidOperationException("Cannot start actorvip."));
    }

    /// <summary>Runs actorvip to completion (for commands that exit by themselves).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToEnd(string? ns, params string[] args)
    {
        var result = ns is null
            ? Shell.Run(Binary, args, TimeSpan.FromSeconds(60))
            : Shell.Run("ip", new[] { "netns", "exec", ns, Binary }.Concat(args).ToArray(), TimeSpan.FromSeconds(60));
        return (result.ExitCode, result.Stdout, result.Stderr);
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public void Signal(int signal)
    {
        if (Tmds.Linux.LibC.kill(_process.Id, signal) != 0 && !_process.HasExited)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed.");
    }

    /// <summary>Waits for the exit; returns the exit code, or null when it did not exit in time.</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
